// libFuzzer harness: the host backend against the exact reference. The bytes pick a whole kernel case (every
// allocation, pairing, dtype, layout and strides, heads, partial rotary, scaling, in place, direction, batch
// and padding, positions of every source and magnitude) and its data; the independent oracle judges it.
//
// Input format (fuzz/input_bytes.hpp): random_kernel_case (tests/kernels/random_kernel_case.hpp) reads one
// integer per choice, in its order, from as few bytes as the choice's range needs; then 8 bytes seed the
// inputs and positions. Missing bytes read as the smallest choice. A broken bound aborts with the case on one line.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "fuzz/input_bytes.hpp"
#include "fuzz/kernel_fuzz_limits.hpp"
#include "random_kernel_case.hpp"

using namespace mmrope::kernels::testing;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mmrope::fuzz::InputBytes bytes(data, size);
  const Pick pick = [&bytes](std::int64_t lo, std::int64_t hi) { return bytes.pick(lo, hi); };
  const KernelCase c = random_kernel_case(pick, mmrope::fuzz::kKernelFuzzLimits);
  const std::uint64_t seed = bytes.u64();
  std::mt19937_64 rng(seed);
  KernelCaseData d = make_case(c, rng);  // valid by construction: an exception here is a bug, and ends the run
  mmrope::kernels::apply_rotary_host(d.params);
  const OracleVerdict v = judge_with_oracle(d, 1);
  if (!v.passed()) {
    std::fprintf(stderr, "kernel_reference_fuzzer: %s (data seed %llu) breaks its bound\n%s", c.name().c_str(),
                 static_cast<unsigned long long>(seed), v.describe().c_str());
    std::abort();
  }
  return 0;
}
