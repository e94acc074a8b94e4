// The host backend against the exact reference: every allocation x dtype x layout x direction on small shapes.
#include <gtest/gtest.h>

#include <random>
#include <tuple>

#include "../reference/random_seed.hpp"
#include "kernel_case.hpp"

namespace mmrope::kernels::testing {
namespace {

struct AllocationUnderTest {
  const char* name;
  const char* sections;
  int rotary_dim;
  std::optional<HeadCounts> mhrope_heads;
};

// Small rotary dims with every allocation's features: interleaved with a tail of t pairs (3 * s_h < pairs),
// HoPE's non-rotating band, MHRoPE with grouped-query heads (8 query on 4 KV heads, the last KV head unrotated).
const AllocationUnderTest kAllocations[] = {
    {"1d", "", 8, std::nullopt},
    {"chunked", "1,2,1", 8, std::nullopt},
    {"interleaved", "4,1,1", 12, std::nullopt},
    {"il-rope", "2,2,2", 12, std::nullopt},
    {"videorope", "2,1,1", 8, std::nullopt},
    {"videorope-repo", "2,1,1", 8, std::nullopt},
    {"hope", "2,1,1", 8, std::nullopt},
    {"multi-head", "1,1,1", 8, HeadCounts{8, 4}},
    {"2d", "", 8, std::nullopt},
};

RopeScaling scaling_number(int i) {
  RopeScaling s;
  switch (i % 4) {
    case 0: break;
    case 1: s.kind = ScalingKind::linear; s.factor = Rational(4); break;
    case 2: s.kind = ScalingKind::yarn; s.factor = Rational(8); s.original_context = 4096; break;  // attention factor != 1
    case 3: s.kind = ScalingKind::llama3; s.factor = Rational(8); s.original_context = 8192; break;
  }
  return s;
}

using MatrixParam = std::tuple<int, DType, TensorLayout, Direction>;

struct MatrixName {
  std::string operator()(const ::testing::TestParamInfo<MatrixParam>& info) const {
    const char* dtypes[] = {"fp32", "fp16", "bf16"};
    const char* layouts[] = {"bshd", "sbhd", "thd"};
    std::string name = kAllocations[std::get<0>(info.param)].name;
    for (char& ch : name)
      if (ch == '-') ch = '_';
    return name + "_" + dtypes[static_cast<int>(std::get<1>(info.param))] + "_" +
           layouts[static_cast<int>(std::get<2>(info.param))] + "_" +
           (std::get<3>(info.param) == Direction::forward ? "fwd" : "bwd");
  }
};

class HostBackendMatrix : public ::testing::TestWithParam<MatrixParam> {};

// The remaining features rotate with the case number, so each value of each occurs across the matrix.
TEST_P(HostBackendMatrix, MatchesReferenceWithinContract) {
  const auto [allocation_index, dtype, layout, direction] = GetParam();
  const AllocationUnderTest& a = kAllocations[allocation_index];
  const int variant = allocation_index * 7 + static_cast<int>(dtype) * 3 + static_cast<int>(layout) * 2 +
                      static_cast<int>(direction);
  KernelCase c;
  c.allocation = a.name;
  c.sections = a.sections;
  c.mhrope_heads = a.mhrope_heads;
  c.rotary_dim = a.rotary_dim;
  c.head_dim = a.rotary_dim + (variant % 2 == 0 ? 4 : 0);  // partial rotary: a tail of 4 channels
  c.pairing = variant % 3 == 0 ? Pairing::gptj : Pairing::neox;
  c.dtype = dtype;
  c.layout = layout;
  c.direction = direction;
  c.positions = static_cast<PositionSource>(variant % 4);
  c.in_place = variant % 5 < 2;
  c.fused_qkv = layout != TensorLayout::thd && variant % 7 == 3;
  c.scaling = scaling_number(variant / 3);
  c.largest_position = variant % 2 ? (std::int64_t{1} << 31) - 1 : 1000;
  if (c.positions == PositionSource::int32_3axis) c.largest_position = std::min<std::int64_t>(c.largest_position, INT32_MAX);
  c.sequence_lengths = {3, 1, 5};
  if (a.mhrope_heads) {
    c.q_heads = a.mhrope_heads->query;
    c.k_heads = a.mhrope_heads->kv;
  }
  const std::uint64_t seed = test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + ", case " + c.name());
  std::mt19937_64 rng(seed);
  KernelCaseData data = make_case(c, rng);
  const OracleVerdict v = run_and_check(data);
  EXPECT_TRUE(v.passed()) << v.describe();
  EXPECT_LE(v.max_ulp(), 1.0) << v.describe();  // no cancellation deep enough to need the element bound here
}

INSTANTIATE_TEST_SUITE_P(
    AllCombinations, HostBackendMatrix,
    ::testing::Combine(::testing::Range(0, static_cast<int>(std::size(kAllocations))),
                       ::testing::Values(DType::fp32, DType::fp16, DType::bf16),
                       ::testing::Values(TensorLayout::bshd, TensorLayout::sbhd, TensorLayout::thd),
                       ::testing::Values(Direction::forward, Direction::backward)),
    MatrixName());

// Every feature value against every other would be too many reference runs; these pin the ones the matrix
// reaches only through the rotation above, explicitly, on one allocation each.
TEST(HostBackend, EveryPositionSourceAndPairing) {
  const std::uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  for (PositionSource source : {PositionSource::int32_3axis, PositionSource::int64_3axis, PositionSource::int64_1d,
                                PositionSource::implicit})
    for (Pairing pairing : {Pairing::neox, Pairing::gptj})
      for (bool in_place : {false, true}) {
        KernelCase c;
        c.allocation = "interleaved";
        c.sections = "4,1,1";
        c.rotary_dim = 12;
        c.head_dim = 16;
        c.positions = source;
        c.pairing = pairing;
        c.in_place = in_place;
        c.largest_position = INT32_MAX;
        SCOPED_TRACE("seed " + std::to_string(seed) + ", case " + c.name());
        KernelCaseData data = make_case(c, rng);
        const OracleVerdict v = run_and_check(data);
        EXPECT_TRUE(v.passed()) << v.describe();
      }
}

TEST(HostBackend, NegativePositionsAndEveryScaling) {
  const std::uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  std::vector<RopeScaling> scalings(6);
  scalings[1].kind = ScalingKind::linear, scalings[1].factor = Rational(2);
  scalings[2].kind = ScalingKind::ntk, scalings[2].factor = Rational(4);
  scalings[3].kind = ScalingKind::dynamic_ntk, scalings[3].factor = Rational(4), scalings[3].original_context = 2048,
  scalings[3].sequence_length = 8192;
  scalings[4].kind = ScalingKind::yarn, scalings[4].factor = Rational(4), scalings[4].original_context = 32768;
  scalings[5].kind = ScalingKind::llama3, scalings[5].factor = Rational(8), scalings[5].original_context = 8192;
  for (const RopeScaling& s : scalings) {
    KernelCase c;
    c.scaling = s;
    c.negative_positions = true;
    c.largest_position = INT32_MAX - 1;
    c.dtype = DType::fp32;
    SCOPED_TRACE("seed " + std::to_string(seed) + ", case " + c.name());
    KernelCaseData data = make_case(c, rng);
    const OracleVerdict v = run_and_check(data);
    EXPECT_TRUE(v.passed()) << v.describe();
  }
}

// Out of place, every output element is written (the sentinel fill would show otherwise) and the inputs stay.
TEST(HostBackend, OutOfPlaceWritesEveryElementAndKeepsInputs) {
  const std::uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  KernelCase c;
  c.head_dim = 12;  // a tail of 4
  KernelCaseData data = make_case(c, rng);
  const OracleVerdict v = run_and_check(data);
  EXPECT_TRUE(v.passed()) << v.describe();
  EXPECT_EQ(data.q_buffer, data.q_original);
  EXPECT_EQ(data.k_buffer, data.k_original);
}

}  // namespace
}  // namespace mmrope::kernels::testing

namespace mmrope::kernels::testing {
namespace {

// Views with gaps after every head row, token and sequence, and spaced positions: the kernel must read and
// write only the elements the strides name (the oracle checks the gaps keep their values).
TEST(HostBackend, WideStridesTouchOnlyTheirElements) {
  const std::uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  for (TensorLayout layout : {TensorLayout::bshd, TensorLayout::sbhd, TensorLayout::thd})
    for (bool fused : {false, true})
      for (bool in_place : {false, true}) {
        KernelCase c;
        c.layout = layout;
        c.fused_qkv = fused;
        c.in_place = in_place;
        c.head_dim = 12;
        c.head_gap = 3;
        c.token_gap = 5;
        c.batch_gap = 7;
        c.position_token_stride = 2;
        c.largest_position = INT32_MAX;
        c.sequence_lengths = {2, 4, 1};
        SCOPED_TRACE("seed " + std::to_string(seed) + ", case " + c.name());
        KernelCaseData data = make_case(c, rng);
        const OracleVerdict v = run_and_check(data);
        EXPECT_TRUE(v.passed()) << v.describe();
      }
}

// Where every angle is 0 and the attention factor is short (3/2), the kernel's double arithmetic is exact
// (3/2 x), so its output must be the exact rounding: about half of the products are ties of bf16 and fp16,
// which must go to even.
TEST(HostBackend, ExactProductsRoundTiesToEven) {
  const std::uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  for (DType dtype : {DType::fp32, DType::fp16, DType::bf16}) {
    KernelCase c;
    c.dtype = dtype;
    c.scaling.kind = ScalingKind::yarn;
    c.scaling.factor = Rational(4);
    c.scaling.original_context = 4096;
    c.scaling.attention_factor = Rational(3, 2);
    c.largest_position = 0;  // every token at the origin
    c.sequence_lengths = {16, 16};
    SCOPED_TRACE("seed " + std::to_string(seed) + ", case " + c.name());
    KernelCaseData data = make_case(c, rng);
    const OracleVerdict v = run_and_check(data);
    EXPECT_TRUE(v.passed()) << v.describe();
    // The case must hold ties for the low-precision dtypes, or it proves nothing about them.
    std::size_t ties = 0;
    const DType t = dtype;
    const std::size_t bytes = dtype == DType::fp32 ? 4 : 2;
    for (std::size_t i = 0; i < data.q_original.size() / bytes; ++i) {
      std::uint32_t bits = 0;
      std::memcpy(&bits, data.q_original.data() + i * bytes, bytes);
      const double y = 1.5 * decode_bits(bits, t);
      const double down = decode_bits(round_to_bits(y, t), t);
      ties += std::fabs(y - down) > 0;  // 3/2 x is a midpoint exactly when it is not representable
    }
    if (dtype != DType::fp32) {
      EXPECT_GT(ties, 50u);
    }
  }
}

}  // namespace
}  // namespace mmrope::kernels::testing
