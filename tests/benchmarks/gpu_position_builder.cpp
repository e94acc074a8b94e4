// The CUDA position builder's throughput: tokens/s of device time for a large padded batch (the target: >= 1e9).
//
// Usage: mmrope_gpu_position_benchmark [--rows R] [--tokens N]   (default 64 rows of 262144 tokens: 16.8 M slots)
// Rows hold text, a Qwen2.5-VL video of 24 x 40 frames and text; the time (CUDA events, best of 10 after a warm-up)
// covers the whole build_positions_cuda call: the runs' copy to the device, the scans and the per-token pass.
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "gpu_benchmark_support.hpp"
#include "kernels/cuda/build_positions_cuda.hpp"
#include "kernels/host/position_plan_builder.hpp"
#include "reference/layout_spec.hpp"
#include "reference/presets/presets.hpp"

int main(int argc, char** argv) {
  using namespace mmrope;
  long rows = 64, tokens = 262144;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view arg = argv[i];
    const long v = std::strtol(argv[i + 1], nullptr, 10);
    if (arg == "--rows" && v > 0) rows = v;
    else if (arg == "--tokens" && v >= 1024 && v <= (1L << 24)) tokens = v;
    else {
      std::fprintf(stderr, "usage: mmrope_gpu_position_benchmark [--rows R] [--tokens N (1024..2^24)]\n");
      return 2;
    }
  }
  if (!benchmarks::announce_device()) return 0;
  const auto design = make_preset_design(find_preset("qwen2.5-vl"), {});
  std::vector<Sequence> batch;
  for (long b = 0; b < rows; ++b) {
    const long frames = std::max(1L, tokens * 7 / 8 / 960 - b % 4);
    batch.push_back(parse_layout("text:" + std::to_string(7 + b % 5) + " video:" + std::to_string(frames) + "x48x80 text:9"));
  }
  const kernels::PositionPlan plan =
      kernels::make_position_plan(*design, batch, PaddingSide::left, PaddingConvention::transformers4);
  const std::size_t n = static_cast<std::size_t>(plan.tokens());
  kernels::PositionOutputs out;
  MMROPE_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&out.positions), 3 * n * 8));
  MMROPE_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&out.den), n * 8));
  MMROPE_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&out.kind), n));
  MMROPE_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&out.next_position), plan.rows * 8));
  MMROPE_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&out.rope_delta), plan.rows * 8));
  cudaEvent_t start, stop;
  MMROPE_CUDA_CHECK(cudaEventCreate(&start));
  MMROPE_CUDA_CHECK(cudaEventCreate(&stop));
  kernels::build_positions_cuda(plan, out, nullptr);  // warm-up
  float best = 1e30f;
  for (int r = 0; r < 10; ++r) {
    MMROPE_CUDA_CHECK(cudaEventRecord(start));
    kernels::build_positions_cuda(plan, out, nullptr);
    MMROPE_CUDA_CHECK(cudaEventRecord(stop));
    MMROPE_CUDA_CHECK(cudaEventSynchronize(stop));
    float ms = 0;
    MMROPE_CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
    best = std::min(best, ms);
  }
  std::printf("position builder: %zu token slots (%ld rows), %zu runs: %.3f ms, %.3g tokens/s (%.1f GB/s written)\n", n,
              rows, plan.segments.size(), best, n / (best * 1e-3), n * 33.0 / (best * 1e-3) / 1e9);
  return 0;
}
