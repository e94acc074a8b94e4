// The position builder's host twin against the reference's builder on one batch, side by side: times and their ratio.
//
// Usage: mmrope_position_builder_benchmark [--rows R] [--tokens N] [--preset NAME] [--repeats K]
// Defaults: 8 rows of about 32768 tokens each (text, a video of 24 x 40 frames, an image, text; rows of
// different lengths, left-padded, transformers 4), qwen2.5-vl, best of 3. Both builders get the same layouts;
// the kernel's time covers planning and building (not the conversion to the reference's rationals, which only
// printing needs). ctest runs it once, tiny.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "benchmark_options.hpp"
#include "kernels/host/build_positions_host.hpp"
#include "kernels/host/position_plan_builder.hpp"
#include "reference/layout_spec.hpp"
#include "reference/presets/presets.hpp"

namespace {

// Row b: text, a video of frames of 24 x 40 LLM tokens (grid 48 x 80) or 2 x 4 below 4096 tokens, an image, text.
std::string row_layout(int tokens, int b) {
  const bool large = tokens >= 4096;
  const int per_frame = large ? 24 * 40 : 2 * 4;
  const int frames = std::max(1, (tokens * 7 / 8) / per_frame - b);
  return "text:" + std::to_string(5 + b) + " video:" + std::to_string(frames) + (large ? "x48x80" : "x4x8") +
         " text:2 image:1x8x12 text:" + std::to_string(3 + 2 * b);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mmrope;
  int rows = 8, tokens = 32768, repeats = 3;
  std::string preset = "qwen2.5-vl";
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "usage: mmrope_position_builder_benchmark [--rows R] [--tokens N] [--preset NAME] [--repeats K]\n";
      return 2;
    }
    if (arg == "--rows") rows = benchmarks::parse_count(arg, argv[++i], 1, 1 << 24);
    else if (arg == "--tokens") tokens = benchmarks::parse_count(arg, argv[++i], 1, 1 << 24);
    else if (arg == "--repeats") repeats = benchmarks::parse_count(arg, argv[++i], 1, 1 << 24);
    else if (arg == "--preset") preset = argv[++i];
    else {
      std::cerr << "unknown argument " << arg << "\n";
      return 2;
    }
  }
  const auto design = make_preset_design(find_preset(preset), {});
  std::vector<Sequence> batch;
  for (int b = 0; b < rows; ++b) batch.push_back(parse_layout(row_layout(tokens, b)));
  std::int64_t slots = 0;
  const double reference = benchmarks::best_seconds(repeats, [&] {
    const BatchPositions p = assign_batch(*design, batch, PaddingSide::left, PaddingConvention::transformers4);
    slots = p.padded_length * static_cast<std::int64_t>(p.rows.size());
  });
  std::int64_t check = 0;
  const double kernel = benchmarks::best_seconds(repeats, [&] {
    const kernels::BuiltPositions p = kernels::build_positions_host(
        kernels::make_position_plan(*design, batch, PaddingSide::left, PaddingConvention::transformers4));
    check = p.rows * p.padded_length;
  });
  if (check != slots) {
    std::cerr << "the builders disagree on the batch's size: " << check << " vs " << slots << "\n";
    return 1;
  }
  std::cout << "preset " << preset << ", " << rows << " rows, " << slots << " token slots (padding included), best of "
            << repeats << "\n"
            << "reference assign_batch: " << reference * 1e3 << " ms (" << slots / reference << " tokens/s)\n"
            << "kernel builder, host twin (plan + build): " << kernel * 1e3 << " ms (" << slots / kernel << " tokens/s)\n"
            << "ratio (reference / host twin): " << reference / kernel << "x\n";
  return 0;
}
