// Batches: sequences padded on the left or right to one length, under a named padding convention.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "design.hpp"

namespace mmrope {

enum class PaddingSide { left, right };

// How the released code treats padding. Real tokens get the same positions under both; padded slots
// and the rope delta differ:
//   transformers-4: padded slots (1, 1, 1); rope_delta = next_position - padded length
//                   (`get_rope_index` starts from ones and subtracts len(input_ids[b]))
//   transformers-5: padded slots (0, 0, 0); rope_delta = next_position - real token count
//                   (`get_rope_index` starts from zeros; decode adds the delta to mask-based positions)
// Either way, generated token k of a row gets next_position + k.
enum class PaddingConvention { transformers4, transformers5 };

// A batch holds at most this many token slots in all, padding included: no more than the longest single
// sequence may have (kMaxTokensPerSequence), so a batch can never cost more memory than one sequence can.
inline constexpr std::int64_t kMaxTokensPerBatch = kMaxTokensPerSequence;

struct BatchPositions {
  std::int64_t padded_length = 0;
  std::vector<SequencePositions> rows;  // each row has padded_length tokens; pads have kind pad
};

// The batch's padded length: the longest row (each validated), or pad_to. Every size is checked before anything
// is allocated: each row, pad_to (at most kMaxTokensPerSequence) and the batch's total slots, rows x padded
// length (at most kMaxTokensPerBatch). Shared by assign_batch and the kernels' position plan.
inline std::int64_t padded_batch_length(const PositionDesign& design, const std::vector<Sequence>& sequences,
                                        std::optional<std::int64_t> pad_to) {
  if (sequences.empty()) throw Error("the batch is empty: give at least one sequence");
  std::int64_t padded_length = 0;
  for (std::size_t b = 0; b < sequences.size(); ++b) {
    try {
      padded_length = std::max(padded_length, design.token_total(sequences[b]));
    } catch (const Error& e) {
      throw Error("sequence " + std::to_string(b + 1) + ": " + e.what());
    }
  }
  if (pad_to) {
    if (*pad_to > kMaxTokensPerSequence)
      throw Error("pad length " + std::to_string(*pad_to) + " passes the limit of " + std::to_string(kMaxTokensPerSequence) +
                  " tokens per sequence");
    if (*pad_to < padded_length)
      throw Error("pad length " + std::to_string(*pad_to) + " is shorter than the longest sequence (" +
                  std::to_string(padded_length) + " tokens)");
    padded_length = *pad_to;
  }
  const auto rows = static_cast<std::int64_t>(sequences.size());
  if (padded_length > 0 && rows > kMaxTokensPerBatch / padded_length)
    throw Error("the batch of " + std::to_string(rows) + " sequences of " + std::to_string(padded_length) +
                " tokens passes the limit of " + std::to_string(kMaxTokensPerBatch) + " tokens in all, padding included");
  return padded_length;
}

// Assigns each sequence on its own, then pads every row to pad_to (default: the longest row).
inline BatchPositions assign_batch(const PositionDesign& design, const std::vector<Sequence>& sequences, PaddingSide side,
                                   PaddingConvention convention, std::optional<std::int64_t> pad_to = std::nullopt) {
  BatchPositions out;
  out.padded_length = padded_batch_length(design, sequences, pad_to);
  for (std::size_t b = 0; b < sequences.size(); ++b) {
    try {
      out.rows.push_back(design.assign(sequences[b]));
    } catch (const Error& e) {
      throw Error("sequence " + std::to_string(b + 1) + ": " + e.what());
    }
  }
  const Coordinate pad_value(convention == PaddingConvention::transformers4 ? 1 : 0);
  for (auto& row : out.rows) {
    const auto real = static_cast<std::int64_t>(row.tokens.size());
    const TokenPosition pad{TokenKind::pad, Position3::diagonal(pad_value), -1};
    row.tokens.insert(side == PaddingSide::left ? row.tokens.begin() : row.tokens.end(),
                      static_cast<std::size_t>(out.padded_length - real), pad);
    const std::int64_t divisor = convention == PaddingConvention::transformers4 ? out.padded_length : real;
    row.rope_delta = row.next_position - Coordinate(divisor);
  }
  return out;
}

}  // namespace mmrope
