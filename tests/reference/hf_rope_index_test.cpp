// get_rope_index from real inputs: hand-derived goldens per model and transformers range, the version table, bad inputs.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "reference/designs/mrope_absolute_time.hpp"
#include "reference/hf/rope_index.hpp"
#include "reference/hf/transformers_versions.hpp"

namespace mmrope::hf {
namespace {

constexpr std::int64_t VS = 151652, VE = 151653, IMG = 151655, VID = 151656, PAD = 151643;

ModelConfig config(ModelFamily family) {
  ModelConfig c;
  c.family = family;
  c.model_type = family == ModelFamily::qwen2_vl ? "qwen2_vl" : family == ModelFamily::qwen2_5_vl ? "qwen2_5_vl" : "qwen3_vl";
  c.vocab_size = 152064;
  c.tokens_per_second = 2;
  return c;
}

RopeIndexInputs inputs(const std::vector<std::vector<std::int64_t>>& rows) {
  RopeIndexInputs in;
  in.batch = static_cast<std::int64_t>(rows.size());
  in.length = static_cast<std::int64_t>(rows[0].size());
  for (const auto& r : rows) in.input_ids.insert(in.input_ids.end(), r.begin(), r.end());
  return in;
}

std::vector<std::int64_t> repeat(std::int64_t id, int n) { return std::vector<std::int64_t>(static_cast<std::size_t>(n), id); }
std::vector<std::int64_t> cat(std::initializer_list<std::vector<std::int64_t>> parts) {
  std::vector<std::int64_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

const VersionRules& rules(ModelFamily f, const char* version) { return rules_for(f, parse_version(version)); }

// Expects row b's three rows of position_ids and its delta.
void expect_row(const RopeIndex& x, std::int64_t b, const std::vector<std::int64_t>& t, const std::vector<std::int64_t>& h,
                const std::vector<std::int64_t>& w, std::int64_t delta) {
  const std::vector<std::int64_t>* want[] = {&t, &h, &w};
  for (int a = 0; a < 3; ++a) {
    ASSERT_EQ(static_cast<std::int64_t>(want[a]->size()), x.length);
    for (std::int64_t i = 0; i < x.length; ++i)
      ASSERT_EQ(x.at(a, b, i), (*want[a])[static_cast<std::size_t>(i)]) << "row " << b << " axis " << "thw"[a] << " token " << i;
  }
  EXPECT_EQ(x.rope_deltas[static_cast<std::size_t>(b)], delta) << "row " << b;
}

// Qwen2-VL, left padding. Row 0: x0 x1 <vs> | image (1, 4, 6) -> 1 x 2 x 3 tokens | <ve> y; row 1: 6 pads, 5 text.
// Row 0: text 0, 1, 2; S = 3; image (3, 3 + hh, 3 + ww); <ve> = max 5 + 1 = 6; y = 7; next 8.
// Row 1: real tokens 0..4, next 5. 4.x: pads (1, 1, 1), delta = next - 11 (padded length); 5.x: pads 0, delta = next - real.
RopeIndexInputs qwen2_batch() {
  auto in = inputs({cat({{11, 12, VS}, repeat(IMG, 6), {VE, 13}}), cat({repeat(PAD, 6), {21, 22, 23, 24, 25}})});
  in.attention_mask = cat({repeat(1, 11), repeat(0, 6), repeat(1, 5)});
  in.image_grid_thw = std::vector<GridTHW>{{1, 4, 6}};
  return in;
}

TEST(HfRopeIndex, Qwen2VlBatchUnderTransformers4) {
  const auto x = rope_index(qwen2_batch(), config(ModelFamily::qwen2_vl), rules(ModelFamily::qwen2_vl, "4.57.6"));
  expect_row(x, 0, {0, 1, 2, 3, 3, 3, 3, 3, 3, 6, 7}, {0, 1, 2, 3, 3, 3, 4, 4, 4, 6, 7}, {0, 1, 2, 3, 4, 5, 3, 4, 5, 6, 7}, 8 - 11);
  expect_row(x, 1, {1, 1, 1, 1, 1, 1, 0, 1, 2, 3, 4}, {1, 1, 1, 1, 1, 1, 0, 1, 2, 3, 4}, {1, 1, 1, 1, 1, 1, 0, 1, 2, 3, 4}, 5 - 11);
  EXPECT_EQ(x.padding[1], PaddingSide::left);
  EXPECT_EQ(x.kinds[3], TokenKind::image);
  EXPECT_EQ(x.kinds[11], TokenKind::pad);
}

TEST(HfRopeIndex, Qwen2VlBatchUnderTransformers5) {
  const auto x = rope_index(qwen2_batch(), config(ModelFamily::qwen2_vl), rules(ModelFamily::qwen2_vl, "5.24.0"));
  // One temporal grid: cursor + max(H', W') = 3 + 3 = 6 equals max + 1, so the real positions are 4.x's.
  expect_row(x, 0, {0, 1, 2, 3, 3, 3, 3, 3, 3, 6, 7}, {0, 1, 2, 3, 3, 3, 4, 4, 4, 6, 7}, {0, 1, 2, 3, 4, 5, 3, 4, 5, 6, 7}, 8 - 11);
  expect_row(x, 1, {0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}, {0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}, {0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}, 5 - 5);
}

// 5.2.0: pads 0 but the delta still over the padded length, and Qwen2-VL clamps it at 0: max(8 - 11, 0), max(5 - 11, 0).
TEST(HfRopeIndex, Qwen2VlBatchUnderTransformers5Point2) {
  const auto x = rope_index(qwen2_batch(), config(ModelFamily::qwen2_vl), rules(ModelFamily::qwen2_vl, "5.2.0"));
  expect_row(x, 0, {0, 1, 2, 3, 3, 3, 3, 3, 3, 6, 7}, {0, 1, 2, 3, 3, 3, 4, 4, 4, 6, 7}, {0, 1, 2, 3, 4, 5, 3, 4, 5, 6, 7}, 0);
  expect_row(x, 1, {0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}, {0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}, {0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}, 0);
}

// Qwen2.5-VL: a <vs> | video (4, 4, 4) -> 4 frames of 2 x 2 | <ve> b, at fps 2.4: second_per_grid = float32(2 / 2.4)
// = 0.833333313465118408203125 (just below 5/6), tokens_per_second 2. S = 2; frame k: t = 2 + off[k], h, w = 2 + {0, 1}.
//   4.49   trunc(fl32(fl32(k s) 2)):  k s = 0.8333333, 1.6666666, 2.4999999 -> fl32 2.5; x2 = 1.67, 3.33, 5.0 -> 0, 1, 3, 5
//   exact  floor(k s 2) = floor(4.99999988) at k = 3 -> 0, 1, 3, 4 (the preset qwen2.5-vl; no release computes it)
//   4.50+  trunc(s) = 0 -> 0, 0, 0, 0
//   5.6+   tps * int(s) = 0 -> 0, 0, 0, 0; then <ve> = S + max(H', W') = 4
//   5.18+  trunc(fl32(k fl32(2 s))): 2 s = 1.6666666 (exact); k x = 1.67, 3.33, 4.99999988 -> fl32 5.0 -> 0, 1, 3, 5
// Text after: max-plus-one: <ve> = 2 + max(off[3], 1) + 1. Spatial extent: <ve> = 4, b = 5, next = max(6, max + 1).
Rational float32_seconds() { return Rational(BigInt(13981013), BigInt(16777216)); }  // 0.833333313465118408203125

RopeIndexInputs qwen25_video() {
  auto in = inputs({cat({{11, VS}, repeat(VID, 16), {VE, 12}})});
  in.video_grid_thw = std::vector<GridTHW>{{4, 4, 4}};
  in.second_per_grid_ts = std::vector<Rational>{float32_seconds()};
  return in;
}

// The expected rows for frame offsets `off`, and <ve> / b positions.
void expect_qwen25(const RopeIndex& x, const std::vector<std::int64_t>& off, std::int64_t ve, std::int64_t delta) {
  std::vector<std::int64_t> t = {0, 1}, h = {0, 1}, w = {0, 1};
  for (int k = 0; k < 4; ++k)
    for (int hh = 0; hh < 2; ++hh)
      for (int ww = 0; ww < 2; ++ww) {
        t.push_back(2 + off[static_cast<std::size_t>(k)]);
        h.push_back(2 + hh);
        w.push_back(2 + ww);
      }
  for (auto* row : {&t, &h, &w}) {
    row->push_back(ve);
    row->push_back(ve + 1);
  }
  expect_row(x, 0, t, h, w, delta);
}

TEST(HfRopeIndex, Qwen25VlVideoUnderEveryRange) {
  const auto c = config(ModelFamily::qwen2_5_vl);
  const auto in = qwen25_video();
  // 4.49: off 0, 1, 3, 5; <ve> = 2 + 5 + 1 = 8; next 10; delta 10 - 20.
  expect_qwen25(rope_index(in, c, rules(ModelFamily::qwen2_5_vl, "4.49.0")), {0, 1, 3, 5}, 8, 10 - 20);
  // 4.50 to 5.2: off 0; <ve> = 2 + 1 + 1 = 4; next 6.
  expect_qwen25(rope_index(in, c, rules(ModelFamily::qwen2_5_vl, "4.57.6")), {0, 0, 0, 0}, 4, 6 - 20);
  expect_qwen25(rope_index(in, c, rules(ModelFamily::qwen2_5_vl, "5.2.0")), {0, 0, 0, 0}, 4, 6 - 20);
  // 5.6 to 5.17: off 0; <ve> = 4; next = max(6, 3 + 1) = 6; delta over the 20 real tokens.
  expect_qwen25(rope_index(in, c, rules(ModelFamily::qwen2_5_vl, "5.17.0")), {0, 0, 0, 0}, 4, 6 - 20);
  // 5.18+: off 0, 1, 3, 5; <ve> = 4; next = max(6, 7 + 1) = 8.
  expect_qwen25(rope_index(in, c, rules(ModelFamily::qwen2_5_vl, "5.24.0")), {0, 1, 3, 5}, 4, 8 - 20);
}

TEST(HfRopeIndex, ExactTimeRuleDiffersFromEveryReleaseAtFps2Point4) {
  // The preset qwen2.5-vl (exact floor) gives frame 3 offset floor(4.99999988) = 4, not 5: no release computes it.
  Sequence seq;
  seq.segments = {TextRun{2}, Video{{4, 4, 4}, float32_seconds()}, TextRun{2}};
  const auto exact = make_preset_design(find_preset("qwen2.5-vl"))->assign(seq);
  EXPECT_TRUE(exact.tokens[2 + 12].pos.t == Coordinate(2 + 4));
  const auto hf449 = make_preset_design(find_preset("qwen2.5-vl-hf4.49"))->assign(seq);
  EXPECT_TRUE(hf449.tokens[2 + 12].pos.t == Coordinate(2 + 5));
}

// 30 frames of one token (grid (30, 2, 2)) at fps 2.9, tokens_per_second 3: s = float32(2 / 2.9) = 0.689655184745788574...
// Frame 29: 4.49 computes fl32(29 s) = 20.0, x 3 = 60; 5.18 computes fl32(3 s) = 2.0689655, fl32(29 x 2.0689655) =
// 59.999996 -> 59. Every frame k must match the float32 formula written here with plain float arithmetic.
TEST(HfRopeIndex, Qwen25VlFloat32OrdersDifferAtFrame29) {
  auto c = config(ModelFamily::qwen2_5_vl);
  c.tokens_per_second = 3;
  auto in = inputs({cat({{VS}, repeat(VID, 30), {VE}})});
  in.video_grid_thw = std::vector<GridTHW>{{30, 2, 2}};
  const float s = static_cast<float>(2.0 / 2.9);  // the processor divides in Python (double), torch stores float32
  int e = 0;
  const double m = std::frexp(static_cast<double>(s), &e);
  in.second_per_grid_ts = std::vector<Rational>{Rational(static_cast<std::int64_t>(std::ldexp(m, 24))) /
                                                Rational(bmp::pow(BigInt(2), static_cast<unsigned>(24 - e)))};
  const auto old = rope_index(in, c, rules(ModelFamily::qwen2_5_vl, "4.49.0"));
  const auto now = rope_index(in, c, rules(ModelFamily::qwen2_5_vl, "5.24.0"));
  EXPECT_EQ(old.at(0, 0, 1 + 29), 1 + 60);
  EXPECT_EQ(now.at(0, 0, 1 + 29), 1 + 59);
  for (int k = 0; k < 30; ++k) {
    const float kf = static_cast<float>(k);
    volatile float a = kf * s;  // volatile: one float32 rounding per product, as torch does
    volatile float b = 3.0f * s;
    const float first = a * 3.0f, second = kf * b;
    EXPECT_EQ(old.at(0, 0, 1 + k), 1 + static_cast<std::int64_t>(first)) << "frame " << k;
    EXPECT_EQ(now.at(0, 0, 1 + k), 1 + static_cast<std::int64_t>(second)) << "frame " << k;
  }
}

// Qwen3-VL, right padding. Row 0: x | ts "<0.5 seconds>" (3 tokens) <vs> frame 0 (4 tokens) <ve> | ts "<10.5 seconds>"
// (4 tokens) <vs> frame 1 <ve> | y, from video (2, 4, 4) -> 2 frames of 2 x 2. Row 1: <vs> image (1, 4, 4) <ve>, 15 pads.
// Row 0: x 0; ts 1..3; <vs> 4; frame 0 at S = 5: (5, 5 + hh, 5 + ww); <ve> 7; ts 8..11; <vs> 12; frame 1 at S = 13;
// <ve> 15; y 16; next 17. Row 1: <vs> 0; image at S = 1; <ve> 3; next 4.
RopeIndexInputs qwen3_batch() {
  auto in = inputs({cat({{11, 30, 31, 32, VS}, repeat(VID, 4), {VE, 40, 41, 42, 43, VS}, repeat(VID, 4), {VE, 12}}),
                    cat({{VS}, repeat(IMG, 4), {VE}, repeat(PAD, 15)})});
  in.attention_mask = cat({repeat(1, 21), repeat(1, 6), repeat(0, 15)});
  in.image_grid_thw = std::vector<GridTHW>{{1, 4, 4}};
  in.video_grid_thw = std::vector<GridTHW>{{2, 4, 4}};
  return in;
}

TEST(HfRopeIndex, Qwen3VlFramesAndImageOnlyRow) {
  const auto c = config(ModelFamily::qwen3_vl);
  const std::vector<std::int64_t> t0 = {0, 1, 2, 3, 4, 5, 5, 5, 5, 7, 8, 9, 10, 11, 12, 13, 13, 13, 13, 15, 16};
  const std::vector<std::int64_t> h0 = {0, 1, 2, 3, 4, 5, 5, 6, 6, 7, 8, 9, 10, 11, 12, 13, 13, 14, 14, 15, 16};
  const std::vector<std::int64_t> w0 = {0, 1, 2, 3, 4, 5, 6, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 13, 14, 15, 16};
  auto row1 = [](std::vector<std::int64_t> real, std::int64_t pad) {
    real.resize(21, pad);
    return real;
  };
  const auto v4 = rope_index(qwen3_batch(), c, rules(ModelFamily::qwen3_vl, "4.57.0"));
  expect_row(v4, 0, t0, h0, w0, 17 - 21);
  expect_row(v4, 1, row1({0, 1, 1, 1, 1, 3}, 1), row1({0, 1, 1, 2, 2, 3}, 1), row1({0, 1, 2, 1, 2, 3}, 1), 4 - 21);
  const auto v5 = rope_index(qwen3_batch(), c, rules(ModelFamily::qwen3_vl, "5.24.0"));
  expect_row(v5, 0, t0, h0, w0, 17 - 21);
  expect_row(v5, 1, row1({0, 1, 1, 1, 1, 3}, 0), row1({0, 1, 1, 2, 2, 3}, 0), row1({0, 1, 2, 1, 2, 3}, 0), 4 - 6);
  // 5.2.0: pads 0, the delta over the padded length 21, not clamped for Qwen3-VL.
  const auto v52 = rope_index(qwen3_batch(), c, rules(ModelFamily::qwen3_vl, "5.2.0"));
  expect_row(v52, 1, row1({0, 1, 1, 1, 1, 3}, 0), row1({0, 1, 1, 2, 2, 3}, 0), row1({0, 1, 2, 1, 2, 3}, 0), 4 - 21);
}

// Text only, no grids: 4.x takes its text-only branch, whose maximum includes the pads' 1. Row 1 is one real token
// after 3 pads: positions (1, 1, 1, 0); max = 1, so delta = 1 + 1 - 4 = -2 (the general walk would give 0 + 1 - 4).
// 5.x: pads 0, delta = 1 - 1 = 0.
TEST(HfRopeIndex, TextOnlyRowsUnderEachConvention) {
  auto in = inputs({{5, 6, 7, 8}, {PAD, PAD, PAD, 9}});
  in.attention_mask = std::vector<std::int64_t>{1, 1, 1, 1, 0, 0, 0, 1};
  const auto v4 = rope_index(in, config(ModelFamily::qwen2_vl), rules(ModelFamily::qwen2_vl, "4.57.6"));
  expect_row(v4, 0, {0, 1, 2, 3}, {0, 1, 2, 3}, {0, 1, 2, 3}, 0);
  expect_row(v4, 1, {1, 1, 1, 0}, {1, 1, 1, 0}, {1, 1, 1, 0}, -2);
  const auto v5 = rope_index(in, config(ModelFamily::qwen2_vl), rules(ModelFamily::qwen2_vl, "5.24.0"));
  expect_row(v5, 1, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}, 0);
  // 5.2.0 (Qwen2.5-VL, no clamp): no text-only branch, pads 0, delta = 1 - 4 over the padded length.
  const auto v52 = rope_index(in, config(ModelFamily::qwen2_5_vl), rules(ModelFamily::qwen2_5_vl, "5.2.0"));
  expect_row(v52, 1, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}, 1 - 4);
}

// Grids are consumed across the batch in order: row 1's image is image_grid_thw row 1.
TEST(HfRopeIndex, GridsAreConsumedAcrossTheBatch) {
  auto in = inputs({cat({{VS}, repeat(IMG, 1), {VE, 1, 1, 1}}), cat({{VS}, repeat(IMG, 4), {VE}})});
  in.image_grid_thw = std::vector<GridTHW>{{1, 2, 2}, {1, 4, 4}};  // row 0's 1 x 1 token, row 1's 2 x 2
  const auto x = rope_index(in, config(ModelFamily::qwen2_vl), rules(ModelFamily::qwen2_vl, "4.57.6"));
  // Row 1: <vs> 0, image 2 x 2 at S = 1, <ve> 3.
  expect_row(x, 1, {0, 1, 1, 1, 1, 3}, {0, 1, 1, 2, 2, 3}, {0, 1, 2, 1, 2, 3}, 4 - 6);
}

// Every bad input names the row, the token and the reason.
void expect_error(const RopeIndexInputs& in, ModelFamily f, const std::string& needle) {
  try {
    rope_index(in, config(f), newest_rules(f));
    ADD_FAILURE() << "no error; expected one containing: " << needle;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(HfRopeIndex, BadInputsGetClearErrors) {
  const auto q2 = ModelFamily::qwen2_vl;
  auto short_run = inputs({cat({{11, VS}, repeat(IMG, 5), {VE}})});
  short_run.image_grid_thw = std::vector<GridTHW>{{1, 4, 6}};
  expect_error(short_run, q2, "input_ids row 0, token 2: image 0 (image_grid_thw row 0: 1x4x6) needs 6 image tokens, the run has 5");
  auto long_run = inputs({cat({{VS}, repeat(IMG, 7), {VE}})});
  long_run.image_grid_thw = std::vector<GridTHW>{{1, 4, 6}};
  expect_error(long_run, q2, "token 7: more image tokens than image 0");
  auto video_inside = inputs({cat({{VS}, repeat(IMG, 3), {VID}, repeat(IMG, 2), {VE}})});
  video_inside.image_grid_thw = std::vector<GridTHW>{{1, 4, 6}};
  video_inside.video_grid_thw = std::vector<GridTHW>{{1, 2, 2}};
  expect_error(video_inside, q2, "token 4 is a video token inside the image");
  auto leftover = inputs({cat({{VS}, repeat(IMG, 6), {VE}})});
  leftover.image_grid_thw = std::vector<GridTHW>{{1, 4, 6}, {1, 2, 2}};
  expect_error(leftover, q2, "image_grid_thw has 2 rows, input_ids use 1");
  auto no_grid = inputs({cat({{VS}, repeat(IMG, 6), {VE}})});
  expect_error(no_grid, q2, "token 1: an image token, but the inputs have no image_grid_thw");
  auto no_start = inputs({cat({{11}, repeat(IMG, 6), {VE}})});
  no_start.image_grid_thw = std::vector<GridTHW>{{1, 4, 6}};
  expect_error(no_start, q2, "token 1: image tokens must follow <|vision_start|>");
  auto unknown_id = inputs({{11, 152064}});
  expect_error(unknown_id, q2, "token 1: id 152064 is outside the vocabulary [0, 152064)");
  auto odd_grid = inputs({cat({{VS}, repeat(IMG, 6), {VE}})});
  odd_grid.image_grid_thw = std::vector<GridTHW>{{1, 3, 6}};
  expect_error(odd_grid, q2, "divisible by spatial_merge_size 2");
  auto middle_pad = inputs({{11, 12, 13}});
  middle_pad.attention_mask = std::vector<std::int64_t>{1, 0, 1};
  expect_error(middle_pad, q2, "attention_mask row 0: token 2 is 1 after padding at token 1");
  auto both_sides = inputs({{11, 12, 13}});
  both_sides.attention_mask = std::vector<std::int64_t>{0, 1, 0};
  expect_error(both_sides, q2, "pads on both sides");
  auto mask_value = inputs({{11, 12}});
  mask_value.attention_mask = std::vector<std::int64_t>{1, 2};
  expect_error(mask_value, q2, "attention_mask row 0, token 1: value 2");
  auto all_pad = inputs({{11, 12}, {PAD, PAD}});
  all_pad.attention_mask = std::vector<std::int64_t>{1, 1, 0, 0};
  expect_error(all_pad, q2, "attention_mask row 1 is all padding");
  auto seconds = inputs({cat({{VS}, repeat(VID, 4), {VE}})});
  seconds.video_grid_thw = std::vector<GridTHW>{{1, 4, 4}};
  seconds.second_per_grid_ts = std::vector<Rational>{1, 1};
  expect_error(seconds, ModelFamily::qwen2_5_vl, "second_per_grid_ts has 2 values; it needs one per row of video_grid_thw (1)");
  // Qwen3-VL: a video of 2 frames whose second frame never comes.
  auto frames = inputs({cat({{VS}, repeat(VID, 4), {VE}})});
  frames.video_grid_thw = std::vector<GridTHW>{{2, 4, 4}};
  expect_error(frames, ModelFamily::qwen3_vl, "video_grid_thw row 0: the video's last 1 frames have no tokens");
}

TEST(TransformersVersions, ParsesReleaseNumbers) {
  EXPECT_EQ(parse_version("5.24.0"), (Version{5, 24, 0}));
  EXPECT_EQ(parse_version("4.57"), (Version{4, 57, 0}));
  EXPECT_EQ(parse_version("4.57.0.dev0"), (Version{4, 57, 0}));
  EXPECT_EQ(parse_version("5.3.0rc1"), (Version{5, 3, 0}));
  EXPECT_THROW(parse_version("five"), Error);
  EXPECT_THROW(parse_version("5"), Error);
  EXPECT_THROW(parse_version(""), Error);
}

// Each range boundary, by name: the first and last release of a range get its preset and padding convention.
TEST(TransformersVersions, EveryRangeBoundaryPicksItsRules) {
  struct Case {
    ModelFamily family;
    const char* version;
    const char* preset;
    PaddingRules padding;
  };
  using F = ModelFamily;
  // The boundaries were checked by running each release's own get_rope_index on random batches (docs/layout-rules.md 1.6).
  const Case cases[] = {
      {F::qwen2_vl, "4.45.0", "qwen2-vl", kPadding4},
      {F::qwen2_vl, "5.1.0", "qwen2-vl", kPadding4},
      {F::qwen2_vl, "5.2.0", "qwen2-vl", kPadding5_2Clamped},
      {F::qwen2_vl, "5.6.0", "qwen2-vl-hf5", kPadding5},
      {F::qwen2_vl, "5.24.1", "qwen2-vl-hf5", kPadding5},
      {F::qwen2_5_vl, "4.49.0", "qwen2.5-vl-hf4.49", kPadding4},
      {F::qwen2_5_vl, "4.51.3", "qwen2.5-vl-hf4.49", kPadding4},
      {F::qwen2_5_vl, "4.52.1", "qwen2.5-vl-int-truncated", kPadding4},
      {F::qwen2_5_vl, "5.1.0", "qwen2.5-vl-int-truncated", kPadding4},
      {F::qwen2_5_vl, "5.2.0", "qwen2.5-vl-int-truncated", kPadding5_2},
      {F::qwen2_5_vl, "5.6.0", "qwen2.5-vl-hf5", kPadding5},
      {F::qwen2_5_vl, "5.17.0", "qwen2.5-vl-hf5", kPadding5},
      {F::qwen2_5_vl, "5.18.0", "qwen2.5-vl-hf5.18", kPadding5},
      {F::qwen2_5_vl, "5.24.0", "qwen2.5-vl-hf5.18", kPadding5},
      {F::qwen3_vl, "4.57.6", "qwen3-vl", kPadding4},
      {F::qwen3_vl, "5.2.0", "qwen3-vl", kPadding5_2},
      {F::qwen3_vl, "5.4.0", "qwen3-vl", kPadding5},
  };
  for (const auto& c : cases) {
    const auto& r = rules_for(c.family, parse_version(c.version));
    EXPECT_EQ(r.preset, c.preset) << c.version;
    EXPECT_EQ(r.padding, c.padding) << c.version;
    EXPECT_NO_THROW(find_preset(r.preset));
  }
}

TEST(TransformersVersions, RefusedAndUnknownReleasesListTheRanges) {
  auto message = [](ModelFamily f, const char* v) {
    try {
      rules_for(f, parse_version(v));
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message(ModelFamily::qwen2_5_vl, "5.4.0").find("refused"), std::string::npos);
  EXPECT_NE(message(ModelFamily::qwen2_vl, "5.3.0").find("#45381"), std::string::npos);
  EXPECT_NE(message(ModelFamily::qwen2_5_vl, "5.5.4").find("refused"), std::string::npos);
  const std::string future = message(ModelFamily::qwen2_5_vl, "5.25.0");
  EXPECT_NE(future.find("outside the ranges mmrope knows for qwen2.5-vl"), std::string::npos) << future;
  EXPECT_NE(future.find("5.18.0 to 5.24.x"), std::string::npos) << future;
  EXPECT_NE(message(ModelFamily::qwen2_5_vl, "4.48.0").find("outside"), std::string::npos);  // before Qwen2.5-VL existed
  EXPECT_NE(message(ModelFamily::qwen3_vl, "4.56.0").find("outside"), std::string::npos);
  EXPECT_NE(message(ModelFamily::qwen3_vl, "5.3.0").find("refused"), std::string::npos);  // no per-frame split yet
  EXPECT_EQ(newest_rules(ModelFamily::qwen2_5_vl).preset, "qwen2.5-vl-hf5.18");
}

// The ranges of one family never overlap and leave no gap from the first release to the newest.
TEST(TransformersVersions, RangesOfAFamilyAreContiguous) {
  for (ModelFamily f : {ModelFamily::qwen2_vl, ModelFamily::qwen2_5_vl, ModelFamily::qwen3_vl}) {
    const VersionRules* prev = nullptr;
    for (const auto& r : version_table()) {
      if (r.family != f) continue;
      EXPECT_LE(r.first, r.last);
      if (prev) {
        const Version after{prev->last.major, prev->last.minor + 1, 0};  // ranges end at a minor version's last patch
        const Version next_major{prev->last.major + 1, 0, 0};
        EXPECT_TRUE(r.first == after || r.first == next_major) << r.first.to_string() << " after " << prev->last.to_string();
      }
      prev = &r;
    }
  }
}

TEST(NearestFloat, RoundsRationalsToTheNearestFloat32) {
  using D = MropeAbsoluteTimeDesign;
  EXPECT_EQ(D::nearest_float(Rational(5, 6)), 0.833333313465118408203125f);
  EXPECT_EQ(D::nearest_float(Rational(1, 3)), 1.0f / 3.0f);
  // 1 + 2^-24 is halfway between 1 and 1 + 2^-23: ties go to the even significand, 1.
  EXPECT_EQ(D::nearest_float(Rational(1) + Rational(1, 16777216)), 1.0f);
  // 1 + 3 * 2^-24 is halfway between 1 + 2^-23 and 1 + 2^-22: the even one is 1 + 2^-22.
  EXPECT_EQ(D::nearest_float(Rational(1) + Rational(3, 16777216)), 1.0f + 0x1p-22f);
  EXPECT_EQ(D::nearest_float(Rational(1) + Rational(3, 16777216) + Rational(1, BigInt(1) << 60)), 1.0f + 0x1p-22f);
  EXPECT_EQ(D::nearest_float(Rational(1) + Rational(1, 16777216) + Rational(1, BigInt(1) << 60)), 1.0f + 0x1p-23f);
}

}  // namespace
}  // namespace mmrope::hf
