// libFuzzer harness: metamorphic laws of the host backend (tests/kernels/metamorphic.hpp): in place or not,
// bshd, sbhd and thd, fused qkv or separate, q and k together or apart give the same bits; backward after
// forward comes back within its derived bound.
//
// Input format: as kernel_reference_fuzzer (fuzz/input_bytes.hpp: the case's choices, then an 8-byte data seed).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz/input_bytes.hpp"
#include "fuzz/kernel_fuzz_limits.hpp"
#include "metamorphic.hpp"
#include "random_kernel_case.hpp"

using namespace mmrope::kernels::testing;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mmrope::fuzz::InputBytes bytes(data, size);
  const Pick pick = [&bytes](std::int64_t lo, std::int64_t hi) { return bytes.pick(lo, hi); };
  const KernelCase c = random_kernel_case(pick, mmrope::fuzz::kKernelFuzzLimits);
  const std::uint64_t seed = bytes.u64();
  if (const std::string failure = metamorphic_failure(c, seed); !failure.empty()) {
    std::fprintf(stderr, "kernel_self_fuzzer: %s (data seed %llu): %s\n", c.name().c_str(), static_cast<unsigned long long>(seed),
                 failure.c_str());
    std::abort();
  }
  return 0;
}
