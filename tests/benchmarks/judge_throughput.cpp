// Judge throughput: `check` of a Qwen2.5-VL-shaped bf16 query by the fast and the mpfr engine in one run, elements/s and their ratio.
//
// Usage: mmrope_judge_benchmark [--tokens N] [--heads H] [--threads T] [--mpfr-tokens M]
// Defaults: 4096 tokens (text, one image, one video) x 28 heads x 128 channels (Qwen2.5-VL-7B's query),
// every core. The mpfr engine judges the first M tokens' worth of the same problem (default: all of it);
// the ratio compares elements per second. ctest runs it once, tiny, so it cannot rot.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <string_view>

#include "benchmark_options.hpp"
#include "reference/presets/preset_rotary.hpp"
#include "reference/judge/judge_engine.hpp"
#include "reference/layout_spec.hpp"
#include "reference/presets/presets.hpp"

namespace {

// text, an image and a video with exactly `tokens` LLM tokens (merge 2: a grid T x H x W gives T*H*W/4).
std::string qwen25_vl_layout(int tokens) {
  if (tokens >= 4096) {
    const int image = 28 * 28, frames = (tokens - 176 - image) / image;
    const int text = tokens - image - frames * image;
    return "text:" + std::to_string(text) + " image:1x56x56 video:" + std::to_string(frames) + "x56x56@2";
  }
  if (tokens < 16) return "text:" + std::to_string(tokens);
  const int frames = (tokens - 8) / 8;
  return "text:" + std::to_string(tokens - 4 - 4 * frames) + " image:1x4x4 video:" + std::to_string(frames) + "x4x4@2";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mmrope;
  int tokens = 4096, heads = 28, threads = 0, mpfr_tokens = -1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "usage: mmrope_judge_benchmark [--tokens N] [--heads H] [--threads T] [--mpfr-tokens M]\n";
      return 2;
    }
    if (arg == "--tokens") tokens = benchmarks::parse_count(arg, argv[++i], 0, 100000000);
    else if (arg == "--heads") heads = benchmarks::parse_count(arg, argv[++i], 0, 100000000);
    else if (arg == "--threads") threads = benchmarks::parse_count(arg, argv[++i], 0, 100000000);
    else if (arg == "--mpfr-tokens") mpfr_tokens = benchmarks::parse_count(arg, argv[++i], 0, 100000000);
    else {
      std::cerr << "unknown option " << arg << "\n";
      return 2;
    }
  }
  if (tokens < 1 || heads < 1) {
    std::cerr << "--tokens and --heads must be at least 1\n";
    return 2;
  }
  const Preset& preset = find_preset("qwen2.5-vl");
  const std::string layout = qwen25_vl_layout(tokens);
  const SequencePositions seq = make_preset_design(preset)->assign(parse_layout(layout));
  judge::Problem p;
  p.spec = rotary_spec_for(preset.frequency);
  p.dtype = DType::bf16;
  p.row = {static_cast<int>(seq.tokens.size()), heads, p.spec.head_dim};
  p.positions = {positions_of(seq)};
  std::mt19937_64 rng(20261201);  // fixed: the inputs do not matter, only their count
  std::normal_distribution<double> normal;
  std::vector<double> x(static_cast<std::size_t>(p.elements()));
  for (auto& v : x) v = decode_bits(round_to_bits(normal(rng), DType::bf16), DType::bf16);
  std::vector<std::uint32_t> got(x.size());
  judge::Options o;
  o.threads = static_cast<unsigned>(threads);
  judge::rotate(p, [&](std::int64_t f, std::span<double> out) { std::copy_n(x.begin() + f, out.size(), out.begin()); },
                [&](std::int64_t f, std::span<const std::uint32_t> b) { std::copy(b.begin(), b.end(), got.begin() + f); }, o);
  for (std::size_t i = 0; i < got.size(); i += 97) got[i] += 1;  // some elements 1 ulp off, as a real kernel's

  using Clock = std::chrono::steady_clock;
  const auto run = [&](judge::Engine engine, const judge::Problem& problem) {
    judge::Options jo = o;
    jo.engine = engine;
    const auto t0 = Clock::now();
    const ComparisonReport r = judge::check(
        problem, [&](std::int64_t f, std::span<double> out) { std::copy_n(x.begin() + f, out.size(), out.begin()); },
        [&](std::int64_t f, std::span<std::uint32_t> out) { std::copy_n(got.begin() + f, out.size(), out.begin()); }, jo);
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    std::cout << judge::to_string(engine) << ": " << r.elements << " elements in " << seconds << " s, "
              << static_cast<double>(r.elements) / seconds << " elements/s, over the bound " << r.over_bound
              << ", max " << r.max_ulp << " ulp, MPFR fallbacks " << r.fallback_elements << "\n";
    return static_cast<double>(r.elements) / seconds;
  };
  std::cout << "preset: qwen2.5-vl, bf16 query, layout: " << layout << "\n"
            << "tensor: " << p.row.tokens << " tokens x " << heads << " heads x " << p.spec.head_dim << " channels\n";
  const double fast = run(judge::Engine::fast, p);
  judge::Problem part = p;
  if (mpfr_tokens >= 0 && mpfr_tokens < p.row.tokens) {
    part.row.tokens = std::max(1, mpfr_tokens);
    part.positions[0].resize(static_cast<std::size_t>(part.row.tokens));
  }
  const double mpfr = run(judge::Engine::mpfr, part);
  std::cout << "fast / mpfr elements per second: " << fast / mpfr << "\n";
  return 0;
}
