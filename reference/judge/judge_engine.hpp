// The judge: the exact rotation of a whole tensor, streamed over token blocks on every core, rounded (rotate) or compared (check).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "reference/comparison.hpp"
#include "reference/frequency/allocation.hpp"
#include "reference/frequency/rotary_spec.hpp"
#include "reference/positions.hpp"
#include "reference/rotation.hpp"

namespace mmrope::judge {

// fast: double-double values with a proven error bound, MPFR only where the bound cannot decide an
// element (docs/error-model.md, "The judge's fast path"). mpfr: every element in Mpfr256. Both give the
// same bits, verdicts and figures; fast is about 40x quicker on 2 cores (docs/benchmarks.md).
enum class Engine { fast, mpfr };
std::string_view to_string(Engine e);
Engine parse_engine(std::string_view name);  // "fast" or "mpfr"; throws mmrope::Error otherwise

// What is rotated: a [batch, tokens, heads, head_dim] tensor in C order, row b at positions[b].
struct Problem {
  RotarySpec spec;
  TensorRole role = TensorRole::query;
  Direction direction = Direction::forward;
  DType dtype = DType::bf16;
  TensorShape row;                                // [tokens, heads, head_dim] of one batch row
  std::vector<std::vector<Position3>> positions;  // per batch row, per token
  std::vector<std::vector<TokenKind>> kinds;      // per batch row, per token, for the summaries; empty: all text

  int batch() const { return static_cast<int>(positions.size()); }
  std::int64_t elements() const { return static_cast<std::int64_t>(row.size()) * batch(); }
};

// Element sources and sinks over the C-order index [first, first + out.size()). Called from worker threads,
// each time for a disjoint range: a reader must be safe to call concurrently.
using ValueReader = std::function<void(std::int64_t first, std::span<double> out)>;
using BitsReader = std::function<void(std::int64_t first, std::span<std::uint32_t> out)>;
using BitsWriter = std::function<void(std::int64_t first, std::span<const std::uint32_t> bits)>;

// A kernel's own per-element accuracy bound (kernels/host/error_bound.hpp): given |x0| + |x1| of the pair,
// the exact value and its ulp, the most ulps the kernel's analysis allows that output.
using ElementBound = std::function<double(double inputs, double exact, double ulp)>;

struct Options {
  Engine engine = Engine::fast;
  double max_ulp = 1.0;          // an element with ulp > max_ulp is over the bound
  Metric metric = Metric::element;  // which ulp the bound, the verdict and the worst list use
  std::size_t worst = 10;        // how many worst elements the report lists
  unsigned threads = 0;          // 0: every core
  bool progress = false;         // elements done, rate and ETA on stderr while it runs (for a terminal)
  ElementBound element_bound;    // when set: elements over max_ulp are held to it (beyond_element_bound counts
                                 // those over it), and channels past rotary_dim must be exact
};

// Rounds the exact rotation of every element once to problem.dtype and hands the bits to `out`.
// Returns how many elements needed the MPFR fallback (always all of them for Engine::mpfr).
std::uint64_t rotate(const Problem& problem, const ValueReader& x, const BitsWriter& out, const Options& options);

// Compares `got` (bit patterns of problem.dtype) with the exact rotation of `x`: ulps at the exact value,
// absolute errors, the worst elements (the largest ulp first, ties by index; their figures computed in
// MPFR), the all-zero guard. ElementError::token is the token's index over all rows (b * tokens + t).
ComparisonReport check(const Problem& problem, const ValueReader& x, const BitsReader& got, const Options& options);

// Validates the problem (shapes against the spec and the positions); throws mmrope::Error naming what is wrong.
void validate(const Problem& problem);

// The summaries' bins (comparison.hpp, ErrorSummaries): the decade of a coordinate, and one element added to
// every summary. pair < 0: a channel past rotary_dim; axis: the pair's axis, or none.
int position_decade(const Coordinate& c);
void add_to_summaries(ErrorSummaries& s, int pair, PairAxis axis, int decade, TokenKind kind, int head, int row,
                      double figure, bool over);

}  // namespace mmrope::judge
