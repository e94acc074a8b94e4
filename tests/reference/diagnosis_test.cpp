// The diagnosis: each class named first when its bug is planted in an exact output; nothing for correct outputs.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <string>

#include "library_like_rotations.hpp"
#include "random_seed.hpp"
#include "reference/frequency/allocation_registry.hpp"
#include "reference/judge/diagnosis.hpp"

namespace mmrope {
namespace {

// Two rows of text and a 1x4x6 image (positions by hand, MRoPE-like), two heads, random inputs in the dtype.
struct Case {
  judge::Problem p;
  std::vector<double> x;
  std::vector<std::uint32_t> got;
};

// Row 0: text 0..4, image (5, 5+i, 5+j), text 11..15. Row 1: text 0..9, image (10, 10+i, 10+j): 34 tokens each,
// the rows' positions not a shift of each other.
// shift moves row 0 by shift and row 1 by 5 * shift (so large shifts span two position decades).
std::vector<std::vector<Position3>> layout(std::int64_t shift = 0) {
  std::vector<std::vector<Position3>> rows(2);
  const auto at = [&](int row, std::int64_t v) { return Coordinate(v + (row ? 5 : 1) * shift); };
  const auto text = [&](int row, int from, int n) {
    for (int k = 0; k < n; ++k) rows[row].push_back(Position3::diagonal(at(row, from + k)));
  };
  const auto image = [&](int row, int first) {
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 6; ++j) rows[row].push_back({at(row, first), at(row, first + i), at(row, first + j)});
  };
  text(0, 0, 5);
  image(0, 5);
  text(0, 11, 5);
  text(1, 0, 10);
  image(1, 10);
  return rows;
}

std::vector<std::vector<TokenKind>> kinds_of(const std::vector<std::vector<Position3>>& rows) {
  std::vector<std::vector<TokenKind>> k;
  for (const auto& row : rows) {
    k.emplace_back();
    for (const auto& q : row) k.back().push_back(q.t == q.h && q.t == q.w ? TokenKind::text : TokenKind::image);
  }
  return k;
}

judge::Problem problem(DType dtype, const std::string& allocation = "chunked", const std::string& sections = "16,24,24",
                       std::string base = "1000000", int rotary_dim = 128, std::int64_t shift = 0) {
  judge::Problem p;
  p.spec.base = std::move(base);
  p.spec.head_dim = 128;
  p.spec.rotary_dim = rotary_dim;
  p.spec.allocation = make_allocation(allocation, sections, rotary_dim / 2);
  p.dtype = dtype;
  p.positions = layout(shift);
  p.kinds = kinds_of(p.positions);
  p.row = {static_cast<int>(p.positions[0].size()), 2, 128};
  return p;
}

std::vector<double> random_inputs(const judge::Problem& p, std::mt19937_64& rng) {
  std::normal_distribution<double> normal(0, 1);
  std::vector<double> x(static_cast<std::size_t>(p.elements()));
  for (double& v : x) v = decode_bits(round_to_bits(normal(rng), p.dtype), p.dtype);
  return x;
}

// The exact rotation of x under (a possibly modified) problem q, rounded to q.dtype.
std::vector<std::uint32_t> exact_bits(const judge::Problem& q, const std::vector<double>& x) {
  std::vector<std::uint32_t> out(x.size());
  judge::Options o;
  o.threads = 1;
  judge::rotate(q, [&](std::int64_t first, std::span<double> v) { std::copy_n(x.begin() + first, v.size(), v.begin()); },
                [&](std::int64_t first, std::span<const std::uint32_t> b) { std::copy(b.begin(), b.end(), out.begin() + first); }, o);
  return out;
}

// The rotation computed in double (or float) with cos/sin from `cos_sin(position, omega)`, rounded to the dtype.
template <class CosSin>
std::vector<std::uint32_t> emulated_bits(const judge::Problem& p, const std::vector<double>& x, const CosSin& cos_sin) {
  const auto plan = make_frequency_plan<Mpfr256>(p.spec);
  std::vector<std::uint32_t> out(x.size());
  const int T = p.row.tokens, H = p.row.heads, D = p.row.head_dim;
  for (int b = 0; b < p.batch(); ++b)
    for (int t = 0; t < T; ++t)
      for (int h = 0; h < H; ++h) {
        const std::size_t base = ((static_cast<std::size_t>(b) * T + t) * H + h) * D;
        for (int j = 0; j < p.spec.pairs(); ++j) {
          const auto [c0, c1] = pair_channels(p.spec.pairing, j, p.spec.rotary_dim);
          const PairAxis ax = p.spec.allocation.query_axis(0, j);
          const double pos = ax ? to_scalar<double>(p.positions[b][t][*ax]) : 0.0;
          const auto [c, s] = cos_sin(pos, to_double(plan.inverse_frequencies[j]));
          const double x0 = x[base + c0], x1 = x[base + c1];
          out[base + c0] = round_to_bits(x0 * c - x1 * s, p.dtype);
          out[base + c1] = round_to_bits(x1 * c + x0 * s, p.dtype);
        }
        for (int c = p.spec.rotary_dim; c < D; ++c) out[base + c] = round_to_bits(x[base + c], p.dtype);
      }
  return out;
}

std::vector<judge::Diagnosis> diagnosed(const judge::Problem& p, const std::vector<double>& x, const std::vector<std::uint32_t>& got) {
  const judge::ValueReader xr = [&](std::int64_t first, std::span<double> v) { std::copy_n(x.begin() + first, v.size(), v.begin()); };
  const judge::BitsReader gr = [&](std::int64_t first, std::span<std::uint32_t> v) {
    std::copy_n(got.begin() + first, v.size(), v.begin());
  };
  judge::Options o;
  o.threads = 1;
  const ComparisonReport report = judge::check(p, xr, gr, o);
  auto d = judge::diagnose(p, xr, gr, report);
  for (const auto& e : d) std::cout << "  " << e.cls << " (" << e.confidence << "): " << e.evidence << "\n";
  return d;
}

void expect_first(const std::vector<judge::Diagnosis>& d, const std::string& cls) {
  ASSERT_FALSE(d.empty()) << "expected " << cls << ", got no class";
  EXPECT_EQ(d.front().cls, cls) << d.front().evidence;
  EXPECT_GT(d.front().confidence, 0);
  EXPECT_LE(d.front().confidence, 1);
}

std::string names(const std::vector<judge::Diagnosis>& d) {
  std::string s;
  for (const auto& e : d) s += e.cls + ": " + e.evidence + "\n";
  return s;
}

class DiagnosisCase : public ::testing::TestWithParam<DType> {
 protected:
  void SetUp() override {
    const std::uint64_t seed = test_seed();
    rng.seed(seed);
    trace.emplace(__FILE__, __LINE__, "seed " + std::to_string(seed));
  }
  std::mt19937_64 rng;
  std::optional<::testing::ScopedTrace> trace;
};

TEST(Diagnosis, VocabularyIsFixed) {
  const auto& v = judge::diagnosis_classes();
  ASSERT_EQ(v.size(), 13u);
  EXPECT_EQ(v.front(), "pairing");
  EXPECT_EQ(v.back(), "transposed-layout");
}

TEST_P(DiagnosisCase, CorrectOutputGetsNoClass) {
  const judge::Problem p = problem(GetParam());
  const auto x = random_inputs(p, rng);
  const auto d = diagnosed(p, x, exact_bits(p, x));
  EXPECT_TRUE(d.empty()) << names(d);
}

TEST_P(DiagnosisCase, Pairing) {
  const judge::Problem p = problem(GetParam());
  judge::Problem q = p;
  q.spec.pairing = Pairing::gptj;
  const auto x = random_inputs(p, rng);
  expect_first(diagnosed(p, x, exact_bits(q, x)), "pairing");
}

TEST_P(DiagnosisCase, AxisSwap) {
  const judge::Problem p = problem(GetParam());
  judge::Problem q = p;
  for (auto& row : q.positions)
    for (auto& pos : row) std::swap(pos.h, pos.w);
  const auto x = random_inputs(p, rng);
  expect_first(diagnosed(p, x, exact_bits(q, x)), "axis-swap");
}

TEST_P(DiagnosisCase, Allocation) {
  const judge::Problem p = problem(GetParam());
  judge::Problem q = p;
  q.spec.allocation = make_allocation("interleaved", "16,24,24", 64);
  const auto x = random_inputs(p, rng);
  const auto d = diagnosed(p, x, exact_bits(q, x));
  expect_first(d, "allocation");
  if (!d.empty()) {
    EXPECT_NE(d.front().evidence.find("interleaved 16,24,24"), std::string::npos) << d.front().evidence;
  }
}

TEST_P(DiagnosisCase, TemporalOnly) {
  const judge::Problem p = problem(GetParam());
  judge::Problem q = p;
  for (auto& row : q.positions)
    for (auto& pos : row) pos.h = pos.w = pos.t;
  const auto x = random_inputs(p, rng);
  expect_first(diagnosed(p, x, exact_bits(q, x)), "temporal-only");
}

TEST_P(DiagnosisCase, PositionOffset) {
  const judge::Problem p = problem(GetParam());
  judge::Problem q = p;
  for (auto& row : q.positions)
    for (auto& pos : row)
      for (Axis a : kAxes) pos[a] = pos[a] + Coordinate(5);
  const auto x = random_inputs(p, rng);
  const auto d = diagnosed(p, x, exact_bits(q, x));
  expect_first(d, "position-offset");
  if (!d.empty()) {
    EXPECT_NE(d.front().evidence.find("row 1 +5"), std::string::npos) << d.front().evidence;
  }
}

TEST_P(DiagnosisCase, VisualPositions) {
  // The image's spatial offset is missing: its tokens sit at (t, i, j); the text is right.
  const judge::Problem p = problem(GetParam());
  judge::Problem q = p;
  for (std::size_t b = 0; b < q.positions.size(); ++b)
    for (std::size_t t = 0; t < q.positions[b].size(); ++t)
      if (q.kinds[b][t] == TokenKind::image) {
        Position3& pos = q.positions[b][t];
        pos.h = pos.h - pos.t;
        pos.w = pos.w - pos.t;
      }
  const auto x = random_inputs(p, rng);
  expect_first(diagnosed(p, x, exact_bits(q, x)), "visual-positions");
}

TEST_P(DiagnosisCase, BatchPositions) {
  const judge::Problem p = problem(GetParam());
  judge::Problem q = p;
  q.positions[1] = p.positions[0];
  const auto x = random_inputs(p, rng);
  expect_first(diagnosed(p, x, exact_bits(q, x)), "batch-positions");
}

TEST_P(DiagnosisCase, BackwardSign) {
  judge::Problem p = problem(GetParam());
  p.direction = Direction::backward;
  judge::Problem q = p;
  q.direction = Direction::forward;
  const auto x = random_inputs(p, rng);
  expect_first(diagnosed(p, x, exact_bits(q, x)), "backward-sign");
}

TEST_P(DiagnosisCase, PassThrough) {
  const judge::Problem p = problem(GetParam(), "chunked", "16,16,16", "1000000", 96);
  const auto x = random_inputs(p, rng);
  auto got = exact_bits(p, x);
  for (std::size_t i = 0; i < got.size(); ++i)
    if (static_cast<int>(i % 128) >= 112) got[i] = round_to_bits(2 * x[i] + 1, p.dtype);  // channels 112..127 scaled
  const auto d = diagnosed(p, x, got);
  expect_first(d, "pass-through");
  if (!d.empty()) {
    EXPECT_NE(d.front().evidence.find("channels 112..127"), std::string::npos) << d.front().evidence;
  }
}

TEST_P(DiagnosisCase, TransposedLayout) {
  const judge::Problem p = problem(GetParam());
  const auto x = random_inputs(p, rng);
  const auto exact = exact_bits(p, x);
  std::vector<std::uint32_t> got(exact.size());
  const std::size_t T = p.row.tokens, H = p.row.heads, D = p.row.head_dim;
  for (std::size_t b = 0; b < 2; ++b)
    for (std::size_t t = 0; t < T; ++t)
      for (std::size_t h = 0; h < H; ++h)
        for (std::size_t c = 0; c < D; ++c) got[b * T * H * D + (h * T + t) * D + c] = exact[b * T * H * D + (t * H + h) * D + c];
  expect_first(diagnosed(p, x, got), "transposed-layout");
}

TEST_P(DiagnosisCase, KindsInferredWhenUnknown) {
  const judge::Problem p = problem(GetParam());
  judge::Problem q = p;
  for (auto& row : q.positions)
    for (auto& pos : row)
      if (pos.t != pos.h || pos.t != pos.w) pos.h = pos.w = Coordinate(0);
  judge::Problem unknown = p;
  unknown.kinds.clear();
  const auto x = random_inputs(p, rng);
  const auto d = diagnosed(unknown, x, exact_bits(q, x));
  expect_first(d, "visual-positions");
  if (!d.empty()) {
    EXPECT_NE(d.front().evidence.find("kinds inferred"), std::string::npos) << d.front().evidence;
  }
}

TEST_P(DiagnosisCase, SampledWhenLong) {
  // 2 x 1500 tokens of 1-D RoPE: the sample (512 tokens plus the worst) still names the pairing.
  judge::Problem p;
  p.spec.base = "10000";
  p.spec.head_dim = p.spec.rotary_dim = 64;
  p.spec.allocation = make_allocation("1d", "", 32);
  p.dtype = GetParam();
  p.row = {1500, 2, 64};
  p.positions.resize(2);
  for (auto& row : p.positions)
    for (int t = 0; t < 1500; ++t) row.push_back(Position3::diagonal(Coordinate(t)));
  judge::Problem q = p;
  q.spec.pairing = Pairing::gptj;
  const auto x = random_inputs(p, rng);
  expect_first(diagnosed(p, x, exact_bits(q, x)), "pairing");
  EXPECT_TRUE(diagnosed(p, x, exact_bits(p, x)).empty());
}

INSTANTIATE_TEST_SUITE_P(Dtypes, DiagnosisCase, ::testing::Values(DType::fp32, DType::bf16),
                         [](const auto& test_info) { return std::string(to_string(test_info.param)); });

// Classes that need fp32's resolution: the lowest-frequency pairs and the rounding of cos/sin or the phase.
class DiagnosisFp32 : public DiagnosisCase {};

TEST_F(DiagnosisFp32, UnrotatedPairs) {
  // Qwen3-VL's layout: head 128, interleaved 24,20,20, base 5e6; pairs 61 and 62 (t, lowest frequencies) left as x.
  const judge::Problem p = problem(DType::fp32, "interleaved", "24,20,20", "5000000");
  const auto x = random_inputs(p, rng);
  auto got = exact_bits(p, x);
  for (std::size_t i = 0; i < got.size(); ++i) {
    const int c = static_cast<int>(i % 128);
    if (c == 61 || c == 62 || c == 125 || c == 126) got[i] = round_to_bits(x[i], p.dtype);
  }
  const auto d = diagnosed(p, x, got);
  expect_first(d, "unrotated-pairs");
  if (!d.empty()) {
    EXPECT_NE(d.front().evidence.find("pairs 61, 62 (channels 61, 62, 125, 126)"), std::string::npos) << d.front().evidence;
  }
}

// ggml's IMROPE (llama.cpp's Qwen3-VL), written as ggml writes it: sector j % 3 picks h (j < 3 s_h), w (j < 3 s_w),
// t (j < 3 s_t), and anything else its fourth position, which text leaves 0. With sections 24, 20, 20 pairs 61 and
// 62 land there, while transformers and the reference give them t: they come out unrotated.
TEST_F(DiagnosisFp32, GgmlImropeFourthPosition) {
  const judge::Problem p = problem(DType::fp32, "interleaved", "24,20,20", "5000000");
  const auto x = random_inputs(p, rng);
  std::vector<std::uint32_t> got;
  for (int b = 0; b < p.batch(); ++b) {
    library_like::Problem g;
    g.tokens = p.row.tokens;
    g.heads = p.row.heads;
    g.head_dim = 128;
    g.base = 5000000.0f;
    for (const Position3& q : p.positions[static_cast<std::size_t>(b)])
      g.positions.push_back({q.t.to_int64(), q.h.to_int64(), q.w.to_int64()});
    g.axis_of = [](int j) { return j % 3 == 1 && j < 60 ? 1 : j % 3 == 2 && j < 60 ? 2 : j % 3 == 0 && j < 72 ? 0 : 3; };
    const std::size_t row = p.row.size();
    const std::vector<double> xb(x.begin() + static_cast<std::ptrdiff_t>(b * row), x.begin() + static_cast<std::ptrdiff_t>((b + 1) * row));
    for (double v : library_like::ggml_like(g, xb)) got.push_back(round_to_bits(v, DType::fp32));
  }
  const auto d = diagnosed(p, x, got);
  expect_first(d, "unrotated-pairs");
  if (!d.empty()) {
    EXPECT_NE(d.front().evidence.find("pairs 61, 62 (channels 61, 62, 125, 126)"), std::string::npos) << d.front().evidence;
  }
}

// transformers' fp32 recipe in float (library_like_rotations.hpp) given each row's positions, after `plant`
// changes them, on x after `permute_in` (then undone on the output): Qwen2-VL's chunked 16, 24, 24.
std::vector<std::uint32_t> transformers_like_bits(const judge::Problem& p, const std::vector<double>& x,
                                                  library_like::Precision precision,
                                                  const std::function<void(std::vector<Position3>&)>& plant = {},
                                                  bool gptj = false) {
  std::vector<std::uint32_t> got;
  const int D = p.row.head_dim, half = D / 2;
  // gptj pairs (2i, 2i + 1): the float code pairs (i, i + half), so the channels are moved there and back.
  const auto moved = [&](int c) { return c % 2 == 0 ? c / 2 : half + c / 2; };
  for (int b = 0; b < p.batch(); ++b) {
    std::vector<Position3> rows = p.positions[static_cast<std::size_t>(b)];
    if (plant) plant(rows);
    library_like::Problem g;
    g.tokens = p.row.tokens;
    g.heads = p.row.heads;
    g.head_dim = D;
    g.base = 1000000.0f;
    for (const Position3& q : rows) g.positions.push_back({q.t.to_int64(), q.h.to_int64(), q.w.to_int64()});
    g.axis_of = [](int j) { return j < 16 ? 0 : j < 40 ? 1 : 2; };
    const std::size_t row = p.row.size();
    std::vector<double> xb(x.begin() + static_cast<std::ptrdiff_t>(b * row), x.begin() + static_cast<std::ptrdiff_t>((b + 1) * row));
    if (gptj) {
      std::vector<double> in(xb.size());
      for (std::size_t i = 0; i < xb.size(); ++i) in[i - i % D + static_cast<std::size_t>(moved(static_cast<int>(i % D)))] = xb[i];
      xb = in;
    }
    const std::vector<double> y = library_like::transformers_like(g, xb, precision);
    for (std::size_t i = 0; i < y.size(); ++i) {
      const std::size_t from = gptj ? i - i % D + static_cast<std::size_t>(moved(static_cast<int>(i % D))) : i;
      got.push_back(round_to_bits(y[from], DType::fp32));
    }
  }
  return got;
}

// The float code itself gets no class; with a bug planted in what it is given (or how it pairs), it gets that
// class first: the diagnosis holds for an fp32 kernel's own rounding, not only for exact outputs.
TEST_F(DiagnosisFp32, TransformersLikeOutputs) {
  const judge::Problem p = problem(DType::fp32);
  const auto x = random_inputs(p, rng);
  using library_like::Precision;
  EXPECT_TRUE(diagnosed(p, x, transformers_like_bits(p, x, Precision::fp32)).empty());
  // Visual tokens at 1-D positions (their sequence index), text as it is.
  const auto one_d = [](std::vector<Position3>& row) {
    for (std::size_t t = 0; t < row.size(); ++t)
      if (!(row[t].t == row[t].h && row[t].h == row[t].w)) row[t] = Position3::diagonal(Coordinate(static_cast<std::int64_t>(t)));
  };
  expect_first(diagnosed(p, x, transformers_like_bits(p, x, Precision::fp32, one_d)), "visual-positions");
  expect_first(diagnosed(p, x, transformers_like_bits(p, x, Precision::fp32, {}, true)), "pairing");
  expect_first(diagnosed(p, x, transformers_like_bits(p, x, Precision::bf16_cos_sin)), "reduced-precision-cos-sin");
  judge::Problem backward = p;  // asked for R^T, given R
  backward.direction = Direction::backward;
  expect_first(diagnosed(backward, x, transformers_like_bits(p, x, Precision::fp32)), "backward-sign");
}

TEST_F(DiagnosisFp32, ReducedPrecisionCosSin) {
  const judge::Problem p = problem(DType::fp32);
  const auto x = random_inputs(p, rng);
  const auto bf16 = [](double v) { return decode_bits(round_to_bits(v, DType::bf16), DType::bf16); };
  const auto got = emulated_bits(p, x, [&](double pos, double w) {
    return std::pair{bf16(std::cos(pos * w)), bf16(std::sin(pos * w))};
  });
  const auto d = diagnosed(p, x, got);
  expect_first(d, "reduced-precision-cos-sin");
  if (!d.empty()) {
    EXPECT_NE(d.front().evidence.find("bf16"), std::string::npos) << d.front().evidence;
  }
}

TEST_F(DiagnosisFp32, PhasePrecisionAtLargePositions) {
  const judge::Problem p = problem(DType::fp32, "chunked", "16,24,24", "1000000", 128, 200000);  // 2e5 and 1e6
  const auto x = random_inputs(p, rng);
  const auto got = emulated_bits(p, x, [](double pos, double w) {
    const float phase = static_cast<float>(pos) * static_cast<float>(w);  // float arithmetic, as such a kernel does
    return std::pair{static_cast<double>(std::cos(phase)), static_cast<double>(std::sin(phase))};
  });
  const auto d = diagnosed(p, x, got);
  expect_first(d, "phase-precision");
}

TEST_F(DiagnosisFp32, CorrectOutputAtLargePositionsGetsNoClass) {
  for (std::int64_t shift : {100000, 200000, 400000}) {  // rows at 1e5..2e6
    const judge::Problem p = problem(DType::fp32, "chunked", "16,24,24", "1000000", 128, shift);
    const auto x = random_inputs(p, rng);
    const auto d = diagnosed(p, x, exact_bits(p, x));
    EXPECT_TRUE(d.empty()) << "shift " << shift << ": " << names(d);
  }
}

TEST_F(DiagnosisFp32, OddDataDoesNotThrow) {
  const judge::Problem p = problem(DType::fp32);
  auto x = random_inputs(p, rng);
  for (std::size_t i = 0; i < x.size(); i += 7) x[i] = 0;
  auto got = exact_bits(p, x);
  for (std::size_t i = 0; i < got.size(); i += 11) got[i] = 0x7fc00000u;  // NaN
  EXPECT_NO_THROW(diagnosed(p, x, got));
  const std::vector<double> zeros(x.size(), 0.0);
  EXPECT_TRUE(diagnosed(p, zeros, exact_bits(p, zeros)).empty());
}

}  // namespace
}  // namespace mmrope
