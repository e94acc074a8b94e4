// GPU replay of the kernel corpora: every input through the CUDA kernels and the host backend, bit for bit.
//
//   kernel_replay_gpu DIR_OR_FILE...   (e.g. fuzz/corpus/kernel_reference fuzz/corpus/kernel_self)
//
// Each input is read as the kernel harnesses read it (fuzz/input_bytes.hpp, random_kernel_case with the
// harnesses' limits). The case runs twice on the GPU: as built, and with one element of gap after every
// head row, which misaligns the rows and so takes the scalar path where the first took the 16-byte vector
// path. Every buffer (outputs, inputs, gaps) must equal the host backend's bit for bit, and the oracle must
// pass the GPU's output. Exit 0: all equal; 1: a difference (the input and the case are printed);
// 77: no usable GPU (ctest's skip code), unless MMROPE_REQUIRE_GPU=1 makes that a failure (exit 2).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "fuzz/corpus_files.hpp"
#include "fuzz/input_bytes.hpp"
#include "fuzz/kernel_fuzz_limits.hpp"
#include "gpu/device_launch.hpp"
#include "kernels/cuda/apply_rotary_cuda.hpp"
#include "random_kernel_case.hpp"

using namespace mmrope::kernels;
using namespace mmrope::kernels::testing;

namespace {

struct Tally {
  std::uint64_t inputs = 0, launches = 0, vectorized = 0, failures = 0;
};

// One GPU launch of the case against the host backend on the same buffers; an empty string when equal.
std::string gpu_difference(const KernelCase& c, const KernelCaseData& source, Tally& tally) {
  std::mt19937_64 gpu_rng(0), host_rng(0);  // the same padding, gaps and padding positions in both
  KernelCaseData gpu = make_case(c, gpu_rng), host = make_case(c, host_rng);
  copy_logical_inputs(source, gpu);
  copy_logical_inputs(source, host);
  tally.vectorized += rotary_launch_is_vectorized(gpu.params);
  ++tally.launches;
  run_on_gpu(gpu);
  apply_rotary_host(host.params);
  if (gpu.q_buffer != host.q_buffer || gpu.k_buffer != host.k_buffer || gpu.q_result != host.q_result ||
      gpu.k_result != host.k_result)
    return "the GPU's buffers differ from the host backend's";
  if (const OracleVerdict v = judge_with_oracle(gpu); !v.passed()) return "the oracle fails the GPU's output:\n" + v.describe();
  return {};
}

int replay(const std::filesystem::path& file, Tally& tally) {
  const std::vector<std::uint8_t> bytes = mmrope::fuzz::file_bytes(file);
  mmrope::fuzz::InputBytes input(bytes.data(), bytes.size());
  const KernelCase c = random_kernel_case([&input](std::int64_t lo, std::int64_t hi) { return input.pick(lo, hi); },
                                          mmrope::fuzz::kKernelFuzzLimits);
  const std::uint64_t seed = input.u64();
  std::mt19937_64 rng(seed);
  const KernelCaseData source = make_case(c, rng);
  ++tally.inputs;
  KernelCase misaligned = c;
  misaligned.head_gap += 1;
  for (const KernelCase& variant : {c, misaligned})
    if (const std::string d = gpu_difference(variant, source, tally); !d.empty()) {
      std::fprintf(stderr, "kernel_replay_gpu: %s: %s (data seed %llu): %s\n", file.c_str(), variant.name().c_str(),
                   static_cast<unsigned long long>(seed), d.c_str());
      ++tally.failures;
      return 1;
    }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (const std::string why = gpu_absence(); !why.empty()) {
    std::fprintf(stderr, "kernel_replay_gpu: %s\n", why.c_str());
    return gpu_required() ? 2 : 77;
  }
  Tally tally;
  for (const auto& file : mmrope::fuzz::corpus_files(argc, argv)) replay(file, tally);
  std::printf("kernel_replay_gpu: %llu inputs, %llu launches (%llu on the vector path), %llu differences\n",
              static_cast<unsigned long long>(tally.inputs), static_cast<unsigned long long>(tally.launches),
              static_cast<unsigned long long>(tally.vectorized), static_cast<unsigned long long>(tally.failures));
  return tally.failures == 0 ? 0 : 1;
}
