// Law 9, as a check: prefilling in chunks, each from the previous chunk's next position, gives the positions of the whole.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "reference/design.hpp"

namespace mmrope::laws {

using Chunk = std::vector<Segment>;

// A visual chunk at offset o is placed after o text tokens, which this check materialises; past this many
// (large strides or tokens_per_second put offsets near 2^40) the chunk is merged into the one before instead.
inline constexpr std::int64_t kMaxChunkOffset = 4096;

// Positions of `chunk` when prefill reaches it at offset o, and the offset it hands on; nullopt when a visual
// chunk would start at a non-integer offset (a design walk starts from integer cursors only) or past
// kMaxChunkOffset. Text-only chunks take text_position(o + k); a chunk with visual items is placed as the design
// places it after o text positions.
inline std::optional<std::pair<std::vector<Position3>, Coordinate>> place_chunk(const PositionDesign& d, const Chunk& chunk,
                                                                                 const Coordinate& o) {
  std::vector<Position3> out;
  const bool text_only = std::all_of(chunk.begin(), chunk.end(), [](const Segment& s) { return !is_visual(s); });
  if (text_only) {
    Coordinate c = o;
    for (const auto& s : chunk)
      for (std::int64_t k = 0; k < std::get<TextRun>(s).length; ++k, c = c + Coordinate(1)) out.push_back(d.text_position(c));
    return std::pair{out, c};
  }
  if (!o.is_integer_value() || Coordinate(kMaxChunkOffset) < o) return std::nullopt;
  const std::int64_t prefix = o.to_int64();
  Sequence seq;
  if (prefix > 0) seq.segments.emplace_back(TextRun{prefix});
  seq.segments.insert(seq.segments.end(), chunk.begin(), chunk.end());
  const SequencePositions sp = d.assign(seq);
  for (std::size_t i = static_cast<std::size_t>(prefix); i < sp.tokens.size(); ++i) out.push_back(sp.tokens[i].pos);
  return std::pair{out, sp.next_position};
}

// Splits a layout into chunks: text run i is cut after text_cuts[i] tokens (0 or >= its length: no cut), then
// a new chunk starts before piece j where chunk_starts[j] says so (missing entries: no).
inline std::vector<Chunk> cut_into_chunks(const Sequence& layout, const std::vector<std::int64_t>& text_cuts,
                                          const std::vector<bool>& chunk_starts) {
  std::vector<Segment> pieces;
  for (std::size_t i = 0; i < layout.segments.size(); ++i) {
    const auto* text = std::get_if<TextRun>(&layout.segments[i]);
    const std::int64_t cut = i < text_cuts.size() ? text_cuts[i] : 0;
    if (text && cut > 0 && cut < text->length) {
      pieces.emplace_back(TextRun{cut});
      pieces.emplace_back(TextRun{text->length - cut});
    } else {
      pieces.push_back(layout.segments[i]);
    }
  }
  std::vector<Chunk> chunks;
  for (std::size_t j = 0; j < pieces.size(); ++j) {
    if (chunks.empty() || (j < chunk_starts.size() && chunk_starts[j])) chunks.emplace_back();
    chunks.back().push_back(pieces[j]);
  }
  return chunks;
}

// Places chunk by chunk and compares with the whole; a visual chunk that place_chunk cannot start (a
// non-integer offset: CircleRoPE, fractional strides; or a huge one) is merged into the one before.
inline std::optional<std::string> chunked_prefill_violation(const PositionDesign& design, std::vector<Chunk> chunks) {
  std::vector<std::pair<Coordinate, std::vector<Position3>>> placed;  // (offset, positions) per chunk
  Sequence layout;
  for (const auto& c : chunks) layout.segments.insert(layout.segments.end(), c.begin(), c.end());
  Coordinate offset(0);
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    auto r = place_chunk(design, chunks[i], offset);
    if (!r) {  // never for i = 0: the first chunk starts at 0
      chunks[i - 1].insert(chunks[i - 1].end(), chunks[i].begin(), chunks[i].end());
      chunks.erase(chunks.begin() + static_cast<std::ptrdiff_t>(i));
      offset = placed.back().first;
      placed.pop_back();
      i -= 2;
      continue;
    }
    placed.emplace_back(offset, r->first);
    offset = r->second;
  }
  const SequencePositions whole = design.assign(layout);
  std::size_t k = 0;
  for (const auto& [o, positions] : placed)
    for (const auto& p : positions) {
      if (k >= whole.tokens.size()) return "the chunks give more tokens than the whole sequence";
      if (!(p == whole.tokens[k].pos))
        return "token " + std::to_string(k) + " (chunk at offset " + o.to_string() + ") is at t = " + p.t.to_string() +
               ", the whole sequence puts it at t = " + whole.tokens[k].pos.t.to_string();
      ++k;
    }
  if (k != whole.tokens.size()) return "the chunks give fewer tokens than the whole sequence";
  return std::nullopt;
}

}  // namespace mmrope::laws
