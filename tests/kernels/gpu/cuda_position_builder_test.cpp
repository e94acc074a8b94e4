// The CUDA position builder against its host twin, bit for bit, on random batches of every exact preset; skipped without a GPU.
#include <gtest/gtest.h>

#include <cuda_runtime_api.h>

#include <random>
#include <string>
#include <vector>

#include "../../reference/random_seed.hpp"
#include "device_launch.hpp"
#include "kernels/cuda/build_positions_cuda.hpp"
#include "kernels/host/build_positions_host.hpp"
#include "kernels/host/position_plan_builder.hpp"
#include "reference/layout_spec.hpp"
#include "reference/presets/presets.hpp"

namespace mmrope::kernels::testing {
namespace {

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(e));
}

// Device buffers of a plan's outputs, copied back into a BuiltPositions.
BuiltPositions build_on_gpu(const PositionPlan& plan) {
  BuiltPositions out;
  out.rows = plan.rows;
  out.padded_length = plan.padded_length;
  out.cursor_den = plan.cursor_den;
  const std::size_t tokens = static_cast<std::size_t>(plan.tokens()), rows = static_cast<std::size_t>(plan.rows);
  out.positions.resize(3 * tokens);
  out.den.resize(tokens);
  out.kind.resize(tokens);
  out.next_position.resize(rows);
  out.rope_delta.resize(rows);
  PositionOutputs d;
  check(cudaMalloc(reinterpret_cast<void**>(&d.positions), 3 * tokens * 8), "cudaMalloc");
  check(cudaMalloc(reinterpret_cast<void**>(&d.den), tokens * 8), "cudaMalloc");
  check(cudaMalloc(reinterpret_cast<void**>(&d.kind), tokens), "cudaMalloc");
  check(cudaMalloc(reinterpret_cast<void**>(&d.next_position), rows * 8), "cudaMalloc");
  check(cudaMalloc(reinterpret_cast<void**>(&d.rope_delta), rows * 8), "cudaMalloc");
  build_positions_cuda(plan, d, nullptr);
  check(cudaMemcpy(out.positions.data(), d.positions, 3 * tokens * 8, cudaMemcpyDeviceToHost), "cudaMemcpy");
  check(cudaMemcpy(out.den.data(), d.den, tokens * 8, cudaMemcpyDeviceToHost), "cudaMemcpy");
  check(cudaMemcpy(out.kind.data(), d.kind, tokens, cudaMemcpyDeviceToHost), "cudaMemcpy");
  check(cudaMemcpy(out.next_position.data(), d.next_position, rows * 8, cudaMemcpyDeviceToHost), "cudaMemcpy");
  check(cudaMemcpy(out.rope_delta.data(), d.rope_delta, rows * 8, cudaMemcpyDeviceToHost), "cudaMemcpy");
  for (void* p : {static_cast<void*>(d.positions), static_cast<void*>(d.den), static_cast<void*>(d.kind),
                  static_cast<void*>(d.next_position), static_cast<void*>(d.rope_delta)})
    cudaFree(p);
  return out;
}

// A random layout: 1..6 segments of text runs, images and videos (seconds per grid sometimes given).
std::string random_layout(std::mt19937_64& rng, bool videos) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::string s;
  for (int i = 0, n = pick(1, 6); i < n; ++i) {
    const int kind = pick(0, videos ? 2 : 1);
    if (!s.empty()) s += ' ';
    if (kind == 0) s += "text:" + std::to_string(pick(1, 9));
    else if (kind == 1) s += "image:1x" + std::to_string(2 * pick(1, 24)) + "x" + std::to_string(2 * pick(1, 24));
    else {
      s += "video:" + std::to_string(pick(1, 12)) + "x" + std::to_string(2 * pick(1, 16)) + "x" + std::to_string(2 * pick(1, 16));
      if (pick(0, 1)) s += "@" + std::to_string(pick(1, 7)) + "/4";
    }
  }
  return s;
}

TEST(CudaPositionBuilder, EveryExactPresetMatchesHostBitForBit) {
  REQUIRE_GPU();
  const std::uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  for (const Preset& preset : presets()) {
    if (preset.design == "circlerope") continue;
    for (int round = 0; round < 4; ++round) {
      std::vector<Sequence> batch;
      std::string shown;
      for (int b = 0, rows = 1 + round * 3; b < rows; ++b) {
        const std::string layout = random_layout(rng, preset.design != "rope-tie");
        shown += " --layout \"" + layout + "\"";
        batch.push_back(parse_layout(layout));
      }
      SCOPED_TRACE("seed " + std::to_string(seed) + ": --preset " + preset.name + shown);
      const PositionPlan plan = make_position_plan(*make_preset_design(preset, {}), batch,
                                                   round % 2 ? PaddingSide::left : PaddingSide::right,
                                                   round % 3 ? PaddingConvention::transformers4 : PaddingConvention::transformers5);
      const BuiltPositions gpu = build_on_gpu(plan), host = build_positions_host(plan);
      EXPECT_EQ(gpu.positions, host.positions);
      EXPECT_EQ(gpu.den, host.den);
      EXPECT_EQ(gpu.kind, host.kind);
      EXPECT_EQ(gpu.next_position, host.next_position);
      EXPECT_EQ(gpu.rope_delta, host.rope_delta);
    }
  }
}

}  // namespace
}  // namespace mmrope::kernels::testing
