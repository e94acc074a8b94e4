// get_rope_index from real inputs: the ids read into layouts, checked against the grids, then assigned.
#include "rope_index.hpp"

#include <algorithm>
#include <stdexcept>

#include "../designs/registry.hpp"

namespace mmrope::hf {
namespace {

std::string row_label(std::int64_t b) { return "input_ids row " + std::to_string(b); }
std::string token_label(std::int64_t b, std::int64_t i) { return row_label(b) + ", token " + std::to_string(i); }
std::string grid_text(const GridTHW& g) { return std::to_string(g.t) + "x" + std::to_string(g.h) + "x" + std::to_string(g.w); }

// The real (attention_mask 1) slots of a row: one contiguous run, at the start (right padding) or the end
// (left padding). Anything else is an error: get_rope_index would pack the tokens and lose their order.
struct RealSpan {
  std::int64_t first = 0, count = 0;
  PaddingSide side = PaddingSide::right;
};

RealSpan real_span(const RopeIndexInputs& in, std::int64_t b) {
  const std::int64_t L = in.length;
  if (!in.attention_mask) return {0, L, PaddingSide::right};
  const std::int64_t* m = in.attention_mask->data() + b * L;
  for (std::int64_t i = 0; i < L; ++i)
    if (m[i] != 0 && m[i] != 1)
      throw Error("attention_mask row " + std::to_string(b) + ", token " + std::to_string(i) + ": value " +
                  std::to_string(m[i]) + " (a mask holds 0 for padding and 1 for tokens)");
  std::int64_t first = 0;
  while (first < L && m[first] == 0) ++first;
  std::int64_t end = first;
  while (end < L && m[end] == 1) ++end;
  for (std::int64_t i = end; i < L; ++i)
    if (m[i] == 1)
      throw Error("attention_mask row " + std::to_string(b) + ": token " + std::to_string(i) + " is 1 after padding at token " +
                  std::to_string(end) + " (a mask must pad on the left or on the right, not in between)");
  if (first == end) throw Error("attention_mask row " + std::to_string(b) + " is all padding: the row has no tokens");
  if (first > 0 && end < L)
    throw Error("attention_mask row " + std::to_string(b) + " pads on both sides (tokens " + std::to_string(first) + " to " +
                std::to_string(end - 1) + " are real): a mask must pad on one side");
  return {first, end - first, first > 0 ? PaddingSide::left : PaddingSide::right};
}

// Walks the grids of one kind across the whole batch, as transformers does (a global counter).
struct GridCursor {
  const char* kind;  // "image" or "video"
  const char* key;   // "image_grid_thw" or "video_grid_thw"
  const std::optional<std::vector<GridTHW>>* grids;
  std::size_t next = 0;
  std::int64_t frames_used = 0;  // Qwen3-VL: frames of grids[next] already consumed
};

Rational exact_seconds(const RopeIndexInputs& in, std::size_t video) {
  if (!in.second_per_grid_ts) return Rational(1);  // transformers uses 1.0 when none are given
  return (*in.second_per_grid_ts)[video];
}

// The layout of row b's real tokens.
Sequence derive_layout(const RopeIndexInputs& in, std::int64_t b, const RealSpan& span, const ModelConfig& config,
                       GridCursor& images, GridCursor& videos) {
  const std::int64_t* ids = in.input_ids.data() + b * in.length;
  const TokenIds& t = config.tokens;
  const std::int64_t merge = config.spatial_merge_size;
  Sequence seq;
  std::int64_t text = 0;
  auto flush_text = [&] {
    if (text > 0) seq.segments.emplace_back(TextRun{text});
    text = 0;
  };
  const std::int64_t begin = span.first, end = span.first + span.count;
  for (std::int64_t i = begin; i < end;) {
    const std::int64_t id = ids[i];
    if (id < 0 || (config.vocab_size && id >= *config.vocab_size))
      throw Error(token_label(b, i) + ": id " + std::to_string(id) + " is outside the vocabulary [0, " +
                  (config.vocab_size ? std::to_string(*config.vocab_size) : std::string("...")) + ") of the config");
    const bool is_image = id == t.image, is_video = id == t.video;
    if (!is_image && !is_video) {
      ++text;
      ++i;
      continue;
    }
    GridCursor& cur = is_image ? images : videos;
    if (!cur.grids->has_value())
      throw Error(token_label(b, i) + ": an " + std::string(cur.kind) + " token, but the inputs have no " + cur.key);
    if (i == begin || ids[i - 1] != t.vision_start)
      throw Error(token_label(b, i) + ": " + std::string(cur.kind) +
                  " tokens must follow <|vision_start|> (id " + std::to_string(t.vision_start) + "); transformers counts items by it");
    const auto& grids = **cur.grids;
    if (cur.next >= grids.size())
      throw Error(token_label(b, i) + ": " + std::string(cur.kind) + " " + std::to_string(cur.next) + " has no row in " +
                  cur.key + " (it has " + std::to_string(grids.size()) + ")");
    const GridTHW g = grids[cur.next];
    const std::string item = std::string(cur.kind) + " " + std::to_string(cur.next) + " (" + cur.key + " row " +
                             std::to_string(cur.next) + ": " + grid_text(g) + ")";
    if (g.t <= 0 || g.h <= 0 || g.w <= 0) throw Error(token_label(b, i) + ": " + item + ": every grid dimension must be at least 1");
    if (g.h % merge != 0 || g.w % merge != 0)
      throw Error(token_label(b, i) + ": " + item + ": H and W must be divisible by spatial_merge_size " + std::to_string(merge));
    // Qwen3-VL writes each temporal grid of a video as its own block (timestamp, start, H'W' tokens, end);
    // the model splits video_grid_thw into T rows of (1, H, W). Qwen2/2.5-VL write one block of T H' W'.
    const bool per_frame = is_video && config.family == ModelFamily::qwen3_vl;
    const std::int64_t hw = (g.h / merge) * (g.w / merge);
    if (g.t > kMaxTokensPerSequence || hw > kMaxTokensPerSequence / g.t)
      throw Error(token_label(b, i) + ": " + item + " has more than " + std::to_string(kMaxTokensPerSequence) + " tokens");
    const std::int64_t need = per_frame ? hw : g.t * hw;
    std::int64_t run = 0;
    while (i + run < end && ids[i + run] == id && run < need) ++run;
    const std::string what = per_frame ? item + ", frame " + std::to_string(cur.frames_used) : item;
    if (run < need) {
      const std::int64_t at = i + run;
      std::string why = at == end ? "the row ends" : ids[at] == (is_image ? t.video : t.image)
                                                         ? std::string("token ") + std::to_string(at) + " is " +
                                                               (is_image ? "a video token inside the image" : "an image token inside the video")
                                                         : "token " + std::to_string(at) + " (id " + std::to_string(ids[at]) + ") is not one";
      throw Error(token_label(b, i) + ": " + what + " needs " + std::to_string(need) + " " + cur.kind + " tokens, the run has " +
                  std::to_string(run) + " (" + why + ")");
    }
    if (i + run < end && ids[i + run] == id)
      throw Error(token_label(b, i + run) + ": more " + std::string(cur.kind) + " tokens than " + what + " needs (" +
                  std::to_string(need) + "); items are separated by <|vision_end|> <|vision_start|>");
    flush_text();
    if (is_image) {
      seq.segments.emplace_back(Image{g});
      ++cur.next;
    } else if (per_frame) {
      seq.segments.emplace_back(Video{{1, g.h, g.w}, std::nullopt});
      if (++cur.frames_used == g.t) {
        cur.frames_used = 0;
        ++cur.next;
      }
    } else {
      seq.segments.emplace_back(Video{g, exact_seconds(in, cur.next)});
      ++cur.next;
    }
    i += run;
  }
  flush_text();
  return seq;
}

void check_inputs(const RopeIndexInputs& in) {
  if (in.batch <= 0 || in.length <= 0) throw Error("input_ids is empty: it must be [batch, length] with both at least 1");
  if (in.batch > kMaxInputTokens / in.length)
    throw Error("input_ids of " + std::to_string(in.batch) + " x " + std::to_string(in.length) + " passes the limit of " +
                std::to_string(kMaxInputTokens) + " tokens");
  const auto n = static_cast<std::size_t>(in.batch * in.length);
  if (in.input_ids.size() != n) throw Error("input_ids holds " + std::to_string(in.input_ids.size()) + " values, not batch x length");
  if (in.attention_mask && in.attention_mask->size() != n)
    throw Error("attention_mask must have the shape of input_ids (" + std::to_string(in.batch) + ", " + std::to_string(in.length) + ")");
  if (in.second_per_grid_ts) {
    const std::size_t videos = in.video_grid_thw ? in.video_grid_thw->size() : 0;
    if (in.second_per_grid_ts->size() != videos)
      throw Error("second_per_grid_ts has " + std::to_string(in.second_per_grid_ts->size()) +
                  " values; it needs one per row of video_grid_thw (" + std::to_string(videos) + ")");
    for (std::size_t v = 0; v < videos; ++v)
      if ((*in.second_per_grid_ts)[v] <= 0)
        throw Error("second_per_grid_ts[" + std::to_string(v) + "] must be positive, got " + format_rational((*in.second_per_grid_ts)[v]));
  }
}

std::int64_t to_int64(const Coordinate& c, std::int64_t b, std::int64_t i) {
  if (!c.is_integer_value() || !c.fits_int64())
    throw Error(token_label(b, i) + ": position " + c.to_string() + " is not an int64 (transformers stores positions as int64)");
  return c.to_int64();
}

}  // namespace

std::vector<Position3> RopeIndex::row_positions(std::int64_t b) const {
  std::vector<Position3> out;
  out.reserve(static_cast<std::size_t>(length));
  for (std::int64_t i = 0; i < length; ++i) out.push_back({Coordinate(at(0, b, i)), Coordinate(at(1, b, i)), Coordinate(at(2, b, i))});
  return out;
}

std::unique_ptr<PositionDesign> design_for(const ModelConfig& config, const VersionRules& rules) {
  const Preset& preset = find_preset(rules.preset);
  std::vector<std::pair<std::string, std::string>> overrides = {{"merge_size", std::to_string(config.spatial_merge_size)}};
  if (config.family == ModelFamily::qwen2_5_vl) overrides.emplace_back("tokens_per_second", format_rational(config.tokens_per_second));
  // Frames come from the ids, each its own segment with its timestamp text in the text runs around it.
  if (config.family == ModelFamily::qwen3_vl) {
    overrides.emplace_back("frame_prefix_tokens", "0");
    overrides.emplace_back("frame_suffix_tokens", "0");
  }
  return make_preset_design(preset, overrides);
}

RopeIndex rope_index(const RopeIndexInputs& in, const ModelConfig& config, const VersionRules& rules) {
  check_inputs(in);
  if (rules.family != config.family)
    throw Error("the rules of " + std::string(to_string(rules.family)) + " cannot read a " + config.model_type + " config");
  const auto design = design_for(config, rules);
  RopeIndex out;
  out.batch = in.batch;
  out.length = in.length;
  out.position_ids.assign(static_cast<std::size_t>(3 * in.batch * in.length), 0);
  out.kinds.assign(static_cast<std::size_t>(in.batch * in.length), TokenKind::pad);
  GridCursor images{"image", "image_grid_thw", &in.image_grid_thw};
  GridCursor videos{"video", "video_grid_thw", &in.video_grid_thw};
  const std::int64_t pad_value = rules.padding.pad_value;
  const bool text_only_branch = rules.padding.text_only_branch && !in.image_grid_thw && !in.video_grid_thw;
  for (std::int64_t b = 0; b < in.batch; ++b) {
    const RealSpan span = real_span(in, b);
    Sequence seq = derive_layout(in, b, span, config, images, videos);
    SequencePositions row;
    try {
      row = design->assign(seq);
    } catch (const Error& e) {
      throw Error(row_label(b) + ": " + e.what());
    }
    if (static_cast<std::int64_t>(row.tokens.size()) != span.count)
      throw std::logic_error("rope_index: the design placed a different number of tokens than the ids hold");
    for (std::int64_t i = 0; i < in.length; ++i)
      for (int a = 0; a < 3; ++a) out.position_ids[static_cast<std::size_t>((a * in.batch + b) * in.length + i)] = pad_value;
    for (std::int64_t k = 0; k < span.count; ++k) {
      const std::int64_t i = span.first + k;
      const Position3& p = row.tokens[static_cast<std::size_t>(k)].pos;
      out.kinds[static_cast<std::size_t>(b * in.length + i)] = row.tokens[static_cast<std::size_t>(k)].kind;
      for (int a = 0; a < 3; ++a)
        out.position_ids[static_cast<std::size_t>((a * in.batch + b) * in.length + i)] = to_int64(p[static_cast<Axis>(a)], b, i);
    }
    const std::int64_t divisor = rules.padding.delta_over_padded_length ? in.length : span.count;
    std::int64_t next = to_int64(row.next_position, b, in.length);
    // 4.x without grids takes its text-only branch: the maximum runs over the pads' 1 as well, which matters
    // only for a padded row of a single token.
    if (text_only_branch && span.count < in.length) next = std::max(next, pad_value + 1);
    out.rope_deltas.push_back(rules.padding.delta_clamped_at_zero ? std::max<std::int64_t>(next - divisor, 0) : next - divisor);
    out.layouts.push_back(std::move(seq));
    out.padding.push_back(span.side);
    out.real_tokens.push_back(span.count);
  }
  auto leftover = [](const GridCursor& c) {
    if (!c.grids->has_value()) return;
    const auto used = c.next;
    if (c.frames_used != 0)
      throw Error(std::string(c.key) + " row " + std::to_string(c.next) + ": the video's last " +
                  std::to_string((**c.grids)[c.next].t - c.frames_used) + " frames have no tokens in input_ids");
    if (used != (*c.grids)->size())
      throw Error(std::string(c.key) + " has " + std::to_string((*c.grids)->size()) + " rows, input_ids use " +
                  std::to_string(used) + ": rows " + std::to_string(used) + " onwards have no tokens");
  };
  leftover(images);
  leftover(videos);
  return out;
}

}  // namespace mmrope::hf
