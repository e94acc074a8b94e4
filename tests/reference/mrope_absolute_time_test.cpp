// Qwen2.5-VL absolute time: video t = floor(tt * seconds_per_grid * tokens_per_second), exact and int-truncated.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "reference/designs/registry.hpp"
#include "reference/layout_spec.hpp"
#include "reference/presets/presets.hpp"
#include "test_support.hpp"

namespace mmrope {
namespace {

// The layout "text:3 video:4x4x4@SPG text:2": grid (4,4,4) -> (T, H', W') = (4, 2, 2), S = 3.
// Frame k has t = 3 + offsets[k], h = 3 + hh, w = 3 + ww (hh, ww in {0, 1}), raster order.
// After the video: <ve> = 3 + max(offsets[3], 1, 1) + 1 (max-plus-one), then c = <ve> + 1.
std::vector<Triple> video_4x2x2_expected(const std::vector<std::int64_t>& offsets, std::int64_t ve) {
  std::vector<Triple> want = {{0, 0, 0}, {1, 1, 1}, {2, 2, 2}};
  for (std::int64_t k = 0; k < 4; ++k)
    for (std::int64_t hh = 0; hh < 2; ++hh)
      for (std::int64_t ww = 0; ww < 2; ++ww) want.push_back({3 + offsets[k], 3 + hh, 3 + ww});
  want.push_back({ve, ve, ve});
  want.push_back({ve + 1, ve + 1, ve + 1});
  return want;
}

struct FpsCase {
  const char* seconds;                 // seconds_per_grid = temporal_patch_size 2 / fps
  std::vector<std::int64_t> exact;     // floor(k * spg * 2)
  std::int64_t exact_ve;               // 3 + max(exact[3], 1) + 1
  std::vector<std::int64_t> truncated; // floor(k * trunc(spg) * 2)
  std::int64_t truncated_ve;           // 3 + max(truncated[3], 1) + 1
};

// tokens_per_second = 2 (released checkpoints) throughout.
const std::vector<FpsCase>& fps_cases() {
  static const std::vector<FpsCase> cases = {
      // fps 1 -> spg 2: offsets 4k = 0, 4, 8, 12; <ve> = 3 + 12 + 1 = 16. trunc(2) = 2: same.
      {"2", {0, 4, 8, 12}, 16, {0, 4, 8, 12}, 16},
      // fps 2 -> spg 1: offsets 2k = 0, 2, 4, 6; <ve> = 3 + 6 + 1 = 10 (research 7.3). trunc(1) = 1: same.
      {"1", {0, 2, 4, 6}, 10, {0, 2, 4, 6}, 10},
      // fps 4 -> spg 0.5: exact k*0.5*2 = k: 0, 1, 2, 3; <ve> = 3 + 3 + 1 = 7.
      //                   trunc(0.5) = 0: every frame at t = S; <ve> = 3 + max(0, 1, 1) + 1 = 5.
      {"0.5", {0, 1, 2, 3}, 7, {0, 0, 0, 0}, 5},
      // fps 2/3 -> spg 2 / (2/3) = 3: offsets 6k = 0, 6, 12, 18; <ve> = 3 + 18 + 1 = 22. trunc(3) = 3: same.
      {"3", {0, 6, 12, 18}, 22, {0, 6, 12, 18}, 22},
      // fps 4/3 -> spg 1.5: exact k*1.5*2 = 3k: 0, 3, 6, 9; <ve> = 3 + 9 + 1 = 13.
      //                     trunc(1.5) = 1: 2k = 0, 2, 4, 6; <ve> = 10.
      {"1.5", {0, 3, 6, 9}, 13, {0, 2, 4, 6}, 10},
      // spg 3/4: exact k*0.75*2 = 1.5k -> floor: 0, 1 (1.5), 3, 4 (4.5); <ve> = 3 + 4 + 1 = 8.
      //          trunc(0.75) = 0: all 0; <ve> = 5.
      {"3/4", {0, 1, 3, 4}, 8, {0, 0, 0, 0}, 5},
      // spg 1/3 (fps 6): exact k*2/3 -> floor: 0, 0 (0.67), 1 (1.33), 2; <ve> = 3 + max(2, 1, 1) + 1 = 6.
      //                  trunc(1/3) = 0: all 0; <ve> = 5.
      {"1/3", {0, 0, 1, 2}, 6, {0, 0, 0, 0}, 5},
  };
  return cases;
}

TEST(MropeAbsoluteTime, ExactRuleAtSeveralFps) {
  auto d = make_preset_design(find_preset("qwen2.5-vl"));
  for (const auto& c : fps_cases()) {
    SCOPED_TRACE(c.seconds);
    auto out = d->assign(parse_layout(std::string("text:3 video:4x4x4@") + c.seconds + " text:2"));
    expect_positions(out, video_4x2x2_expected(c.exact, c.exact_ve));
    // next = <ve> + 2 (two trailing text tokens); delta = next - 21.
    EXPECT_EQ(out.next_position, Coordinate(c.exact_ve + 2));
    EXPECT_EQ(out.rope_delta, Coordinate(c.exact_ve + 2 - 21));
  }
}

TEST(MropeAbsoluteTime, IntTruncatedRuleAtSeveralFps) {
  auto d = make_design("mrope-absolute-time", {{"time_rule", "int-truncated"}});
  auto preset = make_preset_design(find_preset("qwen2.5-vl-int-truncated"));
  for (const auto& c : fps_cases()) {
    SCOPED_TRACE(c.seconds);
    const auto layout = parse_layout(std::string("text:3 video:4x4x4@") + c.seconds + " text:2");
    expect_positions(d->assign(layout), video_4x2x2_expected(c.truncated, c.truncated_ve));
    expect_positions(preset->assign(layout), video_4x2x2_expected(c.truncated, c.truncated_ve));
  }
}

// transformers 5.3 = int-truncated time and cursor += max(H', W'): text after = 3 + 2 = 5 for every fps.
TEST(MropeAbsoluteTime, Transformers5PresetAtHalfSecondPerGrid) {
  auto out = make_preset_design(find_preset("qwen2.5-vl-hf5"))->assign(parse_layout("text:3 video:4x4x4@0.5 text:2"));
  // trunc(0.5) = 0: all frames at t = 3; <ve> = 3 + max(2, 2) = 5.
  expect_positions(out, video_4x2x2_expected({0, 0, 0, 0}, 5));
  auto fps1 = make_preset_design(find_preset("qwen2.5-vl-hf5"))->assign(parse_layout("text:3 video:4x4x4@2 text:2"));
  // spg 2: t = 3, 7, 11, 15, but the text after still starts at 3 + 2 = 5.
  expect_positions(fps1, video_4x2x2_expected({0, 4, 8, 12}, 5));
}

// A video without @SECONDS takes the seconds_per_grid parameter (default 1 = fps 2).
TEST(MropeAbsoluteTime, DefaultSecondsPerGrid) {
  auto out = make_design("mrope-absolute-time")->assign(parse_layout("text:3 video:4x4x4 text:2"));
  expect_positions(out, video_4x2x2_expected({0, 2, 4, 6}, 10));
  // seconds_per_grid 2 (fps 1): offsets 4k, <ve> 16.
  auto slow = make_design("mrope-absolute-time", {{"seconds_per_grid", "2"}})->assign(parse_layout("text:3 video:4x4x4 text:2"));
  expect_positions(slow, video_4x2x2_expected({0, 4, 8, 12}, 16));
  // A per-video @SECONDS overrides the parameter: @1 gives step 2 although the parameter says 2.
  auto per_video = make_design("mrope-absolute-time", {{"seconds_per_grid", "2"}})
                       ->assign(parse_layout("text:3 video:4x4x4@1 text:2"));
  expect_positions(per_video, video_4x2x2_expected({0, 2, 4, 6}, 10));
}

// The transformers docstring example: tokens_per_second 25, fps 1 (spg 2), T = 3, a 2 x 2 LLM grid,
// no text before (S = 0): t offsets floor(k * 2 * 25) = 0, 50, 100; text after = 100 + 1 = 101.
TEST(MropeAbsoluteTime, DocstringExampleTokensPerSecond25) {
  auto out = make_design("mrope-absolute-time", {{"tokens_per_second", "25"}})->assign(parse_layout("video:3x4x4@2 text:1"));
  std::vector<Triple> want;
  for (std::int64_t t : {0, 50, 100})
    for (std::int64_t hh = 0; hh < 2; ++hh)
      for (std::int64_t ww = 0; ww < 2; ++ww) want.push_back({t, hh, ww});
  want.push_back({101, 101, 101});
  expect_positions(out, want);
}

// Images get temporal offset 0 (the processor passes second_per_grid_t = 0 for images), even with
// T = 2 image patches: text:1 image:2x4x4 text:1, S = 1: all 8 tokens t = 1, h, w in {1, 2};
// text after = 1 + max(0, 1, 1) + 1 = 3. (Plain MRoPE would give the second grid t = 2.)
TEST(MropeAbsoluteTime, ImagesHaveNoTemporalOffset) {
  const std::vector<Triple> want = {{0, 0, 0}, {1, 1, 1}, {1, 1, 2}, {1, 2, 1}, {1, 2, 2},
                                    {1, 1, 1}, {1, 1, 2}, {1, 2, 1}, {1, 2, 2}, {3, 3, 3}};
  for (const char* seconds : {"1", "2", "0.5"}) {
    SCOPED_TRACE(seconds);
    auto d = make_design("mrope-absolute-time", {{"seconds_per_grid", seconds}, {"tokens_per_second", "4"}});
    expect_positions(d->assign(parse_layout("text:1 image:2x4x4 text:1")), want);
  }
  // Contrast: MRoPE (Qwen2-VL) gives the second temporal grid of the image t = 2.
  auto mrope = make_design("mrope")->assign(parse_layout("text:1 image:2x4x4 text:1"));
  EXPECT_EQ(mrope.tokens[5].pos.t, Coordinate(2));
}

// Two videos with different fps in one layout, each uses its own seconds per grid.
// text:1 video:2x2x2@2 text:1 video:2x2x2@0.5 text:1 (H' = W' = 1):
//   video 1 at S = 1: t = 1, 1 + floor(1*2*2) = 5; h = w = 1; next = 5 + 1 = 6; text 6
//   video 2 at S = 7: t = 7, 7 + floor(1*0.5*2) = 8; h = w = 7; next = 8 + 1 = 9; text 9
TEST(MropeAbsoluteTime, EachVideoKeepsItsOwnSecondsPerGrid) {
  auto out = make_preset_design(find_preset("qwen2.5-vl"))
                 ->assign(parse_layout("text:1 video:2x2x2@2 text:1 video:2x2x2@0.5 text:1"));
  expect_positions(out, {{0, 0, 0}, {1, 1, 1}, {5, 1, 1}, {6, 6, 6}, {7, 7, 7}, {8, 7, 7}, {9, 9, 9}});
  EXPECT_EQ(out.next_position, Coordinate(10));
}

// The floor applies to the product, not to the step: tokens_per_second 3, spg 0.5 -> 1.5 per grid.
// video:3x2x2@0.5 alone: t = floor(0) = 0, floor(1.5) = 1, floor(3) = 3; next = 3 + 1 = 4.
TEST(MropeAbsoluteTime, FloorOfTheProduct) {
  auto out = make_design("mrope-absolute-time", {{"tokens_per_second", "3"}})->assign(parse_layout("video:3x2x2@0.5"));
  expect_positions(out, {{0, 0, 0}, {1, 0, 0}, {3, 0, 0}});
  EXPECT_EQ(out.next_position, Coordinate(4));
}

}  // namespace
}  // namespace mmrope
