// Positions read from a .npy file (untrusted): their shape read against the input's batch, every value checked.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "npy.hpp"
#include "reference/positions.hpp"

namespace mmrope::cli {

// What the rows of a positions array mean. automatic: decided by the shape and the input's batch size,
// and refused where both readings fit; one_d: one position per token (all three axes alike); thw: (t, h, w).
// text_thw: four rows [text; t; h; w] as transformers 5.x prefills (the text row ignored); thw_extra: four rows
// (t, h, w, e) as ggml's rope_multi takes them (the fourth ignored). A four-row array is never read automatically.
enum class PositionsKind { automatic, one_d, thw, text_thw, thw_extra };

// "auto", "1d", "thw", "text-thw", "thw-extra" (the values of --positions-kind); throws mmrope::Error otherwise.
PositionsKind parse_positions_kind(std::string_view text);

// The positions of `batch` rows of `tokens` tokens from an array. Accepted shapes:
//   1-D:       [tokens] (batch 1), [batch, tokens]  (transformers' position_ids)
//   (t, h, w): [3, tokens] (batch 1, or, with kind thw, the same positions for every row), [3, batch, tokens]
// [3, tokens] for a batch of 3 reads either way: automatic refuses it and names --positions-kind.
// Values: int32, int64, float32 or float64 (floats at their exact binary value), finite, and inside the
// range the reference is exact for (reference/position_range.hpp). Every problem throws mmrope::Error
// naming `source`; batch x tokens is held to kMaxTokensPerBatch before anything is allocated.
std::vector<std::vector<Position3>> positions_from_array(const npy::Array& positions, int batch, int tokens,
                                                         PositionsKind kind, const std::string& source);

// The same for a .npy file at `path`.
std::vector<std::vector<Position3>> read_positions_file(const std::string& path, int batch, int tokens,
                                                        PositionsKind kind = PositionsKind::automatic);

}  // namespace mmrope::cli
