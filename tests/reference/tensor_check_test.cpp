// The one-call API (reference/judge/tensor_check.hpp): positions from a preset and layouts, rotate and check over spans.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "reference/judge/tensor_check.hpp"
#include "reference/rotation.hpp"

namespace mmrope {
namespace {

std::vector<double> ramp(std::size_t n) {
  std::vector<double> x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = static_cast<double>(static_cast<int>(i % 11) - 5) / 4.0;
  return x;
}

// Two rows of different lengths, right-padded: the positions are those of the design on each layout (padded
// slots at 1, transformers-4), and rotate_tensor gives exactly what the reference's Rotation rounds, row by row.
TEST(TensorCheck, RotateEqualsTheReferenceRowByRow) {
  TensorRequest r;
  r.preset = "qwen2.5-vl";
  r.layouts = {"text:3 image:1x4x6 text:2", "text:4"};
  r.heads = 3;
  r.head_dim = 64;             // a smaller head than the preset's 128: rotary dim 64, so the sections
  r.rotary.sections = "8,12,12";  // must be given for its 32 pairs
  const judge::Problem p = make_problem(r);
  ASSERT_EQ(p.batch(), 2);
  ASSERT_EQ(p.row.tokens, 11);
  EXPECT_EQ(p.spec.rotary_dim, 64);
  EXPECT_EQ(p.spec.allocation.counts()[0], 8);  // t pairs
  // Row 1: text 0..3, then 7 pads at (1, 1, 1).
  EXPECT_EQ(p.positions[1][3].t.to_string(), "3");
  EXPECT_EQ(p.positions[1][4].t.to_string(), "1");
  EXPECT_EQ(p.kinds[1][4], TokenKind::pad);
  // Row 0's image block: token 4 is (3, 3, 4) under Qwen2.5-VL's rules (S = 3, h 0, w 1).
  EXPECT_EQ(p.positions[0][4].w.to_string(), "4");
  EXPECT_EQ(p.positions[0][4].h.to_string(), "3");

  const std::vector<double> x = ramp(static_cast<std::size_t>(p.elements()));
  const std::vector<std::uint32_t> bits = rotate_tensor(p, x);
  const auto plan = make_frequency_plan<Mpfr256>(p.spec);
  const std::size_t row = p.row.size();
  for (int b = 0; b < 2; ++b) {
    const std::vector<double> xb(x.begin() + static_cast<std::ptrdiff_t>(b * row), x.begin() + static_cast<std::ptrdiff_t>((b + 1) * row));
    const auto want = Rotation<Mpfr256>(plan, p.positions[static_cast<std::size_t>(b)]).apply(xb, p.row, p.role, p.direction, p.dtype);
    for (std::size_t i = 0; i < row; ++i) ASSERT_EQ(bits[b * row + i], want.bits[i]) << "row " << b << ", element " << i;
  }
}

// check_tensor passes the exact rotation (rounded once: within half an ulp), and counts exactly the elements
// moved past the bound.
TEST(TensorCheck, CheckCountsTheElementsMovedPastTheBound) {
  TensorRequest r;
  r.preset = "qwen2-vl";
  r.layouts = {"text:3 image:1x4x6 text:2"};
  r.heads = 2;
  const judge::Problem p = make_problem(r);
  const std::vector<double> x = ramp(static_cast<std::size_t>(p.elements()));
  std::vector<std::uint32_t> y = rotate_tensor(p, x);
  const ComparisonReport exact = check_tensor(p, x, y);
  EXPECT_TRUE(exact.passed());
  EXPECT_LE(exact.max_ulp, 0.5);
  EXPECT_EQ(exact.over_bound, 0u);
  // Token 0 sits at position 0, where the exact y is x itself (a bf16 value), so a step of k bit patterns
  // inside a binade is exactly k ulps: x[6] = 0.25, x[7] = 0.5.
  y[6] += 2;  // two ulps: over the default bound of 1
  y[7] += 1;  // one ulp: within it
  const ComparisonReport off = check_tensor(p, x, y);
  EXPECT_FALSE(off.passed());
  EXPECT_EQ(off.over_bound, 1u);
  ASSERT_FALSE(off.worst.empty());
  EXPECT_EQ(off.worst.front().index, 6u);
  EXPECT_EQ(off.worst.front().ulp, 2.0);
}

TEST(TensorCheck, BadRequestsSayWhatIsWrong) {
  TensorRequest r;
  r.preset = "qwen9";
  r.layouts = {"text:3"};
  EXPECT_THROW(
      try { make_problem(r); } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("unknown preset 'qwen9'"), std::string::npos) << e.what();
        throw;
      },
      Error);
  r.preset = "qwen2-vl";
  r.layouts = {"text:3", "text:2", "text:1"};
  r.batch = 2;
  EXPECT_THROW(
      try { make_problem(r); } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("give one layout, or one per batch row (2), not 3"), std::string::npos) << e.what();
        throw;
      },
      Error);
  r.batch = 0;
  r.layouts = {"text:3"};
  r.tokens = 2;  // shorter than the layout
  EXPECT_THROW(make_problem(r), Error);
  r.tokens = 0;
  const judge::Problem p = make_problem(r);
  const std::vector<double> short_x(static_cast<std::size_t>(p.elements()) - 1);
  EXPECT_THROW(
      try { rotate_tensor(p, short_x); } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("x has " + std::to_string(short_x.size()) + " elements"), std::string::npos) << e.what();
        throw;
      },
      Error);
  const std::vector<double> x(static_cast<std::size_t>(p.elements()));
  const std::vector<std::uint32_t> y(3);
  EXPECT_THROW(check_tensor(p, x, y), Error);
}

}  // namespace
}  // namespace mmrope
