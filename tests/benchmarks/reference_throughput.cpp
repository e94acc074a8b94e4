// Reference throughput: rotates a Qwen2-VL text + video sequence forward with Rotation<Mpfr256> and reports elements/s.
//
// Usage: mmrope_reference_benchmark [--tokens N] [--heads H] [--dtype bf16|fp16|fp32]
// Defaults: 32768 tokens (text, one video, text), 4 heads of 128 channels, bf16 output. The layout keeps the
// video at 15/16 of the tokens: frames of 24 x 40 LLM tokens (ViT grid 48 x 80, merge 2) from 4096 tokens on,
// 2 x 4 (grid 4 x 8) below, so a tiny run (ctest runs --tokens 64) exercises the same path.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <string_view>

#include "benchmark_options.hpp"
#include "reference/presets/preset_rotary.hpp"
#include "reference/layout_spec.hpp"
#include "reference/presets/presets.hpp"
#include "reference/rotation.hpp"

namespace {

// text:A video:TxHxW text:B with exactly `tokens` LLM tokens (merge 2: a video grid T x H x W gives T*H*W/4).
std::string qwen2_vl_layout(int tokens) {
  const bool large = tokens >= 4096;
  const int per_frame = large ? 24 * 40 : 2 * 4;
  const int frames = std::max(1, tokens * 15 / 16 / per_frame);
  const int video = frames * per_frame;
  const int before = std::max(1, (tokens - video) / 4);
  const int after = tokens - video - before;
  if (after < 1) {
    std::cerr << "--tokens " << tokens << " is too small for a text + video + text layout\n";
    std::exit(2);
  }
  return "text:" + std::to_string(before) + " video:" + std::to_string(frames) + (large ? "x48x80" : "x4x8") +
         " text:" + std::to_string(after);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mmrope;
  int tokens = 32768, heads = 4;
  DType dtype = DType::bf16;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "usage: mmrope_reference_benchmark [--tokens N] [--heads H] [--dtype bf16|fp16|fp32]\n";
      return 2;
    }
    if (arg == "--tokens") tokens = benchmarks::parse_count(arg, argv[++i], 1, 100000000);
    else if (arg == "--heads") heads = benchmarks::parse_count(arg, argv[++i], 1, 100000000);
    else if (arg == "--dtype") dtype = parse_dtype(argv[++i]);
    else {
      std::cerr << "unknown option " << arg << "\n";
      return 2;
    }
  }
  const Preset& preset = find_preset("qwen2-vl");
  const std::string layout = qwen2_vl_layout(tokens);
  const auto design = make_preset_design(preset);
  const SequencePositions seq = design->assign(parse_layout(layout));
  const RotarySpec spec = rotary_spec_for(preset.frequency);
  const TensorShape shape{static_cast<int>(seq.tokens.size()), heads, spec.head_dim};
  std::mt19937_64 rng(20261123);  // fixed: the benchmark's inputs do not matter, only their count
  std::uniform_int_distribution<int> k(-256, 256);
  std::vector<double> x(shape.size());
  for (auto& v : x) v = k(rng) / 64.0;

  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  const Rotation<Mpfr256> rotation(make_frequency_plan<Mpfr256>(spec), positions_of(seq));
  const auto t1 = Clock::now();
  const RotatedTensor<Mpfr256> y = rotation.apply(x, shape, TensorRole::query, Direction::forward, dtype);
  const auto t2 = Clock::now();
  const double setup = std::chrono::duration<double>(t1 - t0).count();
  const double rotate = std::chrono::duration<double>(t2 - t1).count();
  const double total = setup + rotate;
  std::uint64_t checksum = 0;
  for (auto b : y.bits) checksum = checksum * 1000003u + b;  // keeps the work observable
  std::cout << "preset: qwen2-vl (chunked [16,24,24], rope_theta 1e6)\n"
            << "layout: " << layout << "\n"
            << "tensor: " << shape.tokens << " tokens x " << heads << " heads x " << spec.head_dim << " channels, "
            << to_string(dtype) << " output, scalar " << scalar_name<Mpfr256>() << "\n"
            << "distinct positions: t " << rotation.distinct_positions(Axis::t) << ", h "
            << rotation.distinct_positions(Axis::h) << ", w " << rotation.distinct_positions(Axis::w) << "\n"
            << "setup (plan + cos/sin tables): " << setup << " s\n"
            << "rotate (forward, exact + rounding): " << rotate << " s\n"
            << "total: " << total << " s\n"
            << "rotated elements per second: " << static_cast<double>(shape.size()) / total << "\n"
            << "checksum: " << checksum << "\n";
  return 0;
}
