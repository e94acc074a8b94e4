// The host backend on random cases from the whole domain (random_kernel_case.hpp), each judged by the oracle.
#include <gtest/gtest.h>

#include <random>

#include "../reference/random_seed.hpp"
#include "metamorphic.hpp"
#include "random_kernel_case.hpp"

namespace mmrope::kernels::testing {
namespace {

TEST(RandomKernelCases, EveryCaseWithinItsBound) {
  const std::uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  const Pick pick = pick_from(rng);
  std::uint64_t elements = 0, cases = 0;
  for (int i = 0; i < 300; ++i) {
    const KernelCase c = random_kernel_case(pick);
    SCOPED_TRACE("seed " + std::to_string(seed) + ", case " + std::to_string(i) + ": " + c.name());
    KernelCaseData data = make_case(c, rng);
    const OracleVerdict v = run_and_check(data);
    ASSERT_TRUE(v.passed()) << v.describe();
    elements += v.elements();
    ++cases;
  }
  std::cout << "[ measured ] " << cases << " random cases, " << elements << " elements within 0.5 ulp + their term\n";
}

}  // namespace
}  // namespace mmrope::kernels::testing

namespace mmrope::kernels::testing {
namespace {

TEST(RandomKernelCases, MetamorphicLawsHold) {
  const std::uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  const Pick pick = pick_from(rng);
  for (int i = 0; i < 300; ++i) {
    const KernelCase c = random_kernel_case(pick);
    const std::uint64_t data_seed = rng();
    SCOPED_TRACE("seed " + std::to_string(seed) + ", case " + std::to_string(i) + ": " + c.name());
    ASSERT_EQ(metamorphic_failure(c, data_seed), "");
  }
}

}  // namespace
}  // namespace mmrope::kernels::testing
