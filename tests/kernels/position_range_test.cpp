// The kernels' accepted position range, [-2^31, 2^31 - 1]: checked on the host before any launch.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/core/params_check.hpp"
#include "kernels/host/apply_rotary_host.hpp"

namespace mmrope::kernels {
namespace {

// One bf16 q tensor [1, tokens, 1, 4] with rotary dim 4 and explicit int64 positions on three axes.
struct SmallLaunch {
  explicit SmallLaunch(std::vector<std::int64_t> thw_positions) : positions(std::move(thw_positions)) {
    const std::int64_t tokens = static_cast<std::int64_t>(positions.size() / 3);
    x.assign(static_cast<std::size_t>(tokens * 4), 0x3f80);  // bf16 1.0
    y.assign(x.size(), 0);
    p.dtype = DType::bf16;
    p.layout = TensorLayout::bshd;
    p.batch = 1;
    p.seqlen = tokens;
    p.head_dim = 4;
    p.rotary_dim = 4;
    p.q = contiguous_tensor(x.data(), y.data(), TensorLayout::bshd, 1, tokens, 1, 4);
    p.positions.values = positions.data();
    p.positions.type = PositionType::int64;
    p.positions.axes = 3;
    p.positions.axis_stride = tokens;
    p.positions.token_stride = 1;
    p.frequencies.turn_frequencies = frequencies;
    p.frequencies.axis_of = axis_of;
  }
  std::vector<std::int64_t> positions;
  std::vector<std::uint16_t> x, y;
  TurnFrequency frequencies[2] = {{0.125, 0, 0}, {0.0625, 0, 0}};
  std::int8_t axis_of[2] = {0, 1};
  RotaryKernelParams p;
};

TEST(KernelPositionRange, TheInt32RangeIsAcceptedAndNothingBeyond) {
  SmallLaunch ok({kMinKernelPosition, 0, kMaxKernelPosition, 1, 2, 3});
  EXPECT_EQ(rotary_params_problem(ok.p), "");
  EXPECT_EQ(host_positions_problem(ok.p), "");
  EXPECT_NO_THROW(apply_rotary_host(ok.p));

  for (std::int64_t bad : {kMaxKernelPosition + 1, kMinKernelPosition - 1, std::int64_t{1} << 62}) {
    SmallLaunch l({0, 1, 2, bad, 4, 5});  // axis-major: t0 t1 h0 h1 w0 w1, so token 1 of axis h
    const std::string problem = host_positions_problem(l.p);
    EXPECT_NE(problem.find("position " + std::to_string(bad) + " of token 1 (axis 1) is outside the kernels' range"),
              std::string::npos) << problem;
    EXPECT_THROW(apply_rotary_host(l.p), std::invalid_argument);
    EXPECT_EQ(l.y, std::vector<std::uint16_t>(l.y.size(), 0));  // refused before anything was written
  }
}

TEST(KernelPositionRange, ImplicitPositionsLimitTheSequenceLength) {
  SmallLaunch l({0, 0, 0});
  l.p.positions.values = nullptr;
  l.p.seqlen = kMaxKernelPosition + 1;  // positions 0 .. 2^31 - 1: accepted (not launched: the check alone)
  EXPECT_EQ(rotary_params_problem(l.p), "");
  l.p.seqlen = kMaxKernelPosition + 2;
  EXPECT_NE(rotary_params_problem(l.p).find("at most 2^31 tokens per sequence"), std::string::npos);
}

}  // namespace
}  // namespace mmrope::kernels
