// libFuzzer harness: the kernels' position builder (plan + host twin) against assign_batch on fuzzed batches.
//
// Input: batch_fuzzer's (fuzz/batch_input.hpp).
// Where the reference refuses the batch the builder must refuse it too (an mmrope::Error); where the reference
// accepts it the builder must give the same kinds, positions, next positions and rope deltas, or refuse it
// only for circlerope (irrational) or numerators past int64, saying so. Anything else traps.
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kernels/host/build_positions_host.hpp"
#include "kernels/host/position_plan_builder.hpp"
#include "batch_input.hpp"
#include "reference/batch.hpp"
#include "reference/layout_spec.hpp"

namespace {

bool same(const mmrope::BatchPositions& a, const mmrope::BatchPositions& b) {
  if (a.padded_length != b.padded_length || a.rows.size() != b.rows.size()) return false;
  for (std::size_t r = 0; r < a.rows.size(); ++r) {
    const auto &x = a.rows[r], &y = b.rows[r];
    if (x.tokens.size() != y.tokens.size() || !(x.next_position == y.next_position) || !(x.rope_delta == y.rope_delta))
      return false;
    for (std::size_t i = 0; i < x.tokens.size(); ++i)
      if (x.tokens[i].kind != y.tokens[i].kind || !(x.tokens[i].pos == y.tokens[i].pos)) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto input = mmrope::fuzzing::parse_batch_input(data, size);
  if (!input) return 0;
  const auto side = input->side;
  const auto convention = input->convention;
  const auto pad_to = input->pad_to;
  mmrope::fuzzing::ParsedBatch parsed;
  try {
    parsed = mmrope::fuzzing::parse_batch(*input);
    if (parsed.too_big_to_fuzz()) return 0;
  } catch (const mmrope::Error&) {
    return 0;  // a layout the parser or the design refuses: batch_fuzzer's ground
  }
  const mmrope::PositionDesign& design = *parsed.design;
  const std::vector<mmrope::Sequence>& sequences = parsed.sequences;
  std::optional<mmrope::BatchPositions> want;
  try {
    want = mmrope::assign_batch(design, sequences, side, convention, pad_to);
  } catch (const mmrope::Error&) {
  }
  try {
    const auto got = mmrope::kernels::as_batch_positions(
        mmrope::kernels::build_positions_host(mmrope::kernels::make_position_plan(design, sequences, side, convention, pad_to)));
    if (!want || !same(got, *want)) __builtin_trap();  // accepted what the reference refuses, or differs
  } catch (const mmrope::Error& e) {
    const std::string why = e.what();
    if (want && why.find("numerators") == std::string::npos && why.find("irrational") == std::string::npos) __builtin_trap();
  }
  return 0;
}
