// The interface of a position design and the left-to-right walk every design shares.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "error.hpp"
#include "exact.hpp"
#include "layout.hpp"
#include "params.hpp"
#include "positions.hpp"

namespace mmrope {

// Every design reads the LLM grid through the spatial merge size, so every design declares it.
inline ParamSpec merge_size_param() {
  return {"merge_size", ParamKind::integer, "2", "ViT patches merged per LLM token along h and w (spatial_merge_size)",
          {}, ParamSpec::Bound::at_least_one};
}

// A visual item as a design sees it while walking the sequence.
struct VisualItem {
  std::size_t segment_index;  // in the layout
  std::int64_t block_index;   // 0 for the first visual segment of the sequence, 1 for the next, ...
  TokenKind kind;             // image or video
  VisualTokens grid;          // in LLM tokens (after merging)
  const Segment& segment;     // the layout segment (for seconds per grid)
};

// A position design: assigns every token of a sequence its exact (t, h, w).
// Designs walk the sequence left to right with a cursor, the next free 1-D position: a text token
// takes text_position(cursor) and advances it by 1; a visual item places its tokens from the cursor
// and says where the cursor goes next.
class PositionDesign {
 public:
  explicit PositionDesign(Params params) : params_(std::move(params)), merge_(params_.integer("merge_size")) {}
  virtual ~PositionDesign() = default;
  PositionDesign(const PositionDesign&) = delete;
  PositionDesign& operator=(const PositionDesign&) = delete;

  virtual std::string_view name() const = 0;
  const Params& params() const { return params_; }
  std::int64_t merge_size() const { return merge_; }

  // The position of a text token whose 1-D index is p. Most designs repeat p on every axis.
  virtual Position3 text_position(const Coordinate& p) const { return Position3::diagonal(p); }

  // How many tokens assign(seq) gives, without assigning: validates the layout and refuses a sequence
  // past kMaxTokensPerSequence, so callers can bound what they are about to allocate.
  std::int64_t token_total(const Sequence& seq) const {
    validate(seq, merge_);
    std::int64_t total = 0, block = 0;
    for (std::size_t i = 0; i < seq.segments.size(); ++i) {
      const Segment& s = seq.segments[i];
      std::int64_t n = 0;
      if (auto* text = std::get_if<TextRun>(&s)) {
        n = text->length;
      } else {
        const TokenKind kind = std::holds_alternative<Image>(s) ? TokenKind::image : TokenKind::video;  // as assign()
        n = token_count(VisualItem{i, block++, kind, visual_tokens(i, s, merge_), s});
      }
      if (n < 0 || __builtin_add_overflow(total, n, &total) || total > kMaxTokensPerSequence)
        throw Error(segment_label(i, s) + ": under " + std::string(name()) + " the sequence passes the limit of " +
                    std::to_string(kMaxTokensPerSequence) + " tokens");
    }
    return total;
  }

  // All positions of one unpadded sequence. Throws Error naming the segment for invalid layouts and
  // for positions whose magnitude would not fit int64.
  SequencePositions assign(const Sequence& seq) const {
    token_total(seq);
    SequencePositions out;
    Coordinate cursor(0);
    std::int64_t block = 0;
    for (std::size_t i = 0; i < seq.segments.size(); ++i) {
      const Segment& s = seq.segments[i];
      const std::size_t first = out.tokens.size();
      if (auto* text = std::get_if<TextRun>(&s)) {
        cursor = place_text(cursor, text->length, static_cast<std::int64_t>(i), out.tokens);
      } else {
        VisualItem item{i, block++, std::holds_alternative<Image>(s) ? TokenKind::image : TokenKind::video,
                        visual_tokens(i, s, merge_), s};
        cursor = place_visual(cursor, item, out.tokens);
      }
      check_int64_range(i, s, cursor, out.tokens, first);
    }
    out.next_position = decode_start(cursor, out.tokens);
    out.rope_delta = out.next_position - Coordinate(static_cast<std::int64_t>(out.tokens.size()));
    return out;
  }

 protected:
  // Appends the item's tokens starting at cursor; returns the next cursor.
  virtual Coordinate place_visual(const Coordinate& cursor, const VisualItem& item,
                                  std::vector<TokenPosition>& out) const = 0;

  // The 1-D position of the first generated token. The released code continues from the prompt's
  // largest position + 1, which is the cursor for every design but one (MRoPE's spatial-extent rule).
  virtual Coordinate decode_start(const Coordinate& cursor, const std::vector<TokenPosition>& /*tokens*/) const {
    return cursor;
  }

  // How many tokens the item becomes; designs that add text around visual tokens (Qwen3-VL
  // timestamps) count it too, so the size limit is checked before anything is allocated.
  virtual std::int64_t token_count(const VisualItem& item) const { return item.grid.count(); }

  // Appends n text tokens from cursor; returns the next cursor.
  Coordinate place_text(Coordinate cursor, std::int64_t n, std::int64_t segment, std::vector<TokenPosition>& out) const {
    for (std::int64_t k = 0; k < n; ++k) {
      out.push_back({TokenKind::text, text_position(cursor), segment});
      cursor = cursor + Coordinate(1);
    }
    return cursor;
  }

  // Calls f(tt, hh, ww) for the item's tokens in raster order: t slowest, then h, then w.
  template <class F>
  static void for_each_raster(const VisualTokens& g, F&& f) {
    for (std::int64_t tt = 0; tt < g.t; ++tt)
      for (std::int64_t hh = 0; hh < g.h; ++hh)
        for (std::int64_t ww = 0; ww < g.w; ++ww) f(tt, hh, ww);
  }

  // The largest coordinate over all axes of tokens [first, end).
  static Coordinate max_coordinate(const std::vector<TokenPosition>& tokens, std::size_t first) {
    Coordinate m = tokens.at(first).pos.t;
    for (std::size_t i = first; i < tokens.size(); ++i)
      for (Axis a : kAxes) m = max_of(m, tokens[i].pos[a]);
    return m;
  }

 private:
  static void check_int64_range(std::size_t index, const Segment& s, const Coordinate& cursor,
                                const std::vector<TokenPosition>& tokens, std::size_t first) {
    auto fail = [&](const Coordinate& c) {
      throw Error(segment_label(index, s) + ": position " + c.to_string() + " would overflow int64");
    };
    for (std::size_t i = first; i < tokens.size(); ++i)
      for (Axis a : kAxes)
        if (!tokens[i].pos[a].fits_int64()) fail(tokens[i].pos[a]);
    if (!cursor.fits_int64()) fail(cursor);
  }

  Params params_;
  std::int64_t merge_;
};

}  // namespace mmrope
