// GPU replay of the decode corpus: every KV-append step (decode or prefill chunk) on the GPU and on the host twin.
//
//   append_replay_gpu DIR_OR_FILE...   (e.g. fuzz/corpus/decode)
//
// Each input is read as decode_fuzzer.cpp reads it (fuzz/append_fuzz_input.hpp), with the same planted fault.
// A step the host twin accepts must run on the GPU with no fault bit and leave q, both caches (or k's own
// output) bit for bit as the host twin's. A step the host twin refuses must be refused on the GPU too: before
// the launch (the parameters' checks) or by a fault bit (what only the device sees: table entries, positions).
// Exit 0: all agree; 1: a disagreement (the input and the case are printed); 77: no usable GPU (ctest's skip
// code), unless MMROPE_REQUIRE_GPU=1 makes that a failure (exit 2).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "append_case.hpp"
#include "fuzz/append_fuzz_input.hpp"
#include "fuzz/corpus_files.hpp"
#include "fuzz/input_bytes.hpp"
#include "gpu/device_launch.hpp"
#include "kernels/host/kv_append_host.hpp"

using namespace mmrope::kernels;
using namespace mmrope::kernels::testing;

namespace {

struct Tally {
  std::uint64_t inputs = 0, accepted = 0, refused = 0, failures = 0;
};

// The step on the GPU against the host twin on the same buffers; an empty string when they agree.
std::string gpu_disagreement(const mmrope::fuzz::AppendFuzzInput& in, Tally& tally) {
  std::mt19937_64 gpu_rng(in.seed), host_rng(in.seed);
  AppendData gpu = make_append_data(in.c, gpu_rng), host = make_append_data(in.c, host_rng);
  mmrope::fuzz::plant_append_fault(in, gpu);
  mmrope::fuzz::plant_append_fault(in, host);
  bool host_refused = false;
  try {
    apply_kv_append_host(host.params);
  } catch (const std::invalid_argument&) {
    host_refused = true;
  }
  unsigned faults = 0;
  bool launch_refused = false;
  try {
    faults = run_decode_on_gpu(gpu);
  } catch (const std::invalid_argument&) {
    launch_refused = true;  // the launcher's checks of the parameters
  } catch (const std::runtime_error& e) {
    return std::string("a CUDA call failed: ") + e.what();
  }
  if (host_refused) {
    ++tally.refused;
    if (!launch_refused && faults == 0) return "the host twin refused the step, the GPU ran it without a fault";
    return {};
  }
  ++tally.accepted;
  if (launch_refused) return "the host twin ran the step, the GPU launcher refused it";
  if (faults != 0) return "the host twin ran the step, the GPU reported fault bits " + std::to_string(faults);
  if (gpu.q.bytes != host.q.bytes) return "q differs from the host twin's";
  if (gpu.k_cache.bytes != host.k_cache.bytes || gpu.k_fp8 != host.k_fp8) return "the k cache differs from the host twin's";
  if (gpu.v_cache.bytes != host.v_cache.bytes || gpu.v_fp8 != host.v_fp8) return "the v cache differs from the host twin's";
  if (gpu.k_out.bytes != host.k_out.bytes) return "k's own output differs from the host twin's";
  return {};
}

void replay(const std::filesystem::path& file, Tally& tally) {
  const std::vector<std::uint8_t> bytes = mmrope::fuzz::file_bytes(file);
  mmrope::fuzz::InputBytes input(bytes.data(), bytes.size());
  const std::optional<mmrope::fuzz::AppendFuzzInput> step = mmrope::fuzz::read_append_fuzz_input(input);
  ++tally.inputs;
  if (!step) return;  // every chunk empty: nothing to append
  if (const std::string d = gpu_disagreement(*step, tally); !d.empty()) {
    std::fprintf(stderr, "append_replay_gpu: %s: %s (data seed %llu): %s\n", file.c_str(), step->c.name().c_str(),
                 static_cast<unsigned long long>(step->seed), d.c_str());
    ++tally.failures;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (const std::string why = gpu_absence(); !why.empty()) {
    std::fprintf(stderr, "append_replay_gpu: %s\n", why.c_str());
    return gpu_required() ? 2 : 77;
  }
  Tally tally;
  for (const auto& file : mmrope::fuzz::corpus_files(argc, argv)) replay(file, tally);
  std::printf("append_replay_gpu: %llu inputs, %llu steps the host twin ran, %llu it refused, %llu disagreements with the GPU\n",
              static_cast<unsigned long long>(tally.inputs), static_cast<unsigned long long>(tally.accepted),
              static_cast<unsigned long long>(tally.refused), static_cast<unsigned long long>(tally.failures));
  return tally.failures == 0 && tally.accepted > 0 ? 0 : 1;
}
