// Reads positions from a .npy array: the shape against the input's batch size, then every value checked.
#include "positions_file.hpp"

#include <cmath>
#include <cstdint>

#include "reference/batch.hpp"
#include "reference/error.hpp"
#include "reference/position_range.hpp"

namespace mmrope::cli {
namespace {

constexpr const char* kAcceptedShapes =
    "[tokens] or [batch, tokens] (1-D), [3, tokens] or [3, batch, tokens] (t, h, w)";

// Where element i of the array sits, for messages.
std::string element_label(std::int64_t i) { return "position element " + std::to_string(i); }

}  // namespace

PositionsKind parse_positions_kind(std::string_view text) {
  if (text == "auto") return PositionsKind::automatic;
  if (text == "1d") return PositionsKind::one_d;
  if (text == "thw") return PositionsKind::thw;
  if (text == "text-thw") return PositionsKind::text_thw;
  if (text == "thw-extra") return PositionsKind::thw_extra;
  throw Error("--positions-kind " + quoted_prefix(text) + " must be auto, 1d, thw, text-thw or thw-extra");
}

std::vector<std::vector<Position3>> positions_from_array(const npy::Array& p, int batch, int tokens, PositionsKind kind,
                                                         const std::string& source) {
  if (batch <= 0 || tokens < 0) throw Error(source + ": the input has no rows to give positions to");
  if (static_cast<std::int64_t>(batch) * tokens > kMaxTokensPerBatch)
    throw Error(source + ": " + std::to_string(batch) + " rows of " + std::to_string(tokens) + " tokens pass the limit of " +
                std::to_string(kMaxTokensPerBatch) + " positions in all");
  const auto& s = p.shape;
  const bool one_d_fits = (s.size() == 1 && batch == 1 && s[0] == tokens) ||
                          (s.size() == 2 && s[0] == batch && s[1] == tokens);
  // Four rows: transformers 5.x prefills with [text; t; h; w], ggml's rope_multi takes (t, h, w, e).
  const bool four_rows = (kind == PositionsKind::text_thw || kind == PositionsKind::thw_extra);
  const std::int64_t axis_rows = four_rows ? 4 : 3;
  const std::int64_t first_axis = kind == PositionsKind::text_thw ? 1 : 0;  // the row that holds t
  const bool thw_one_row = s.size() == 2 && s[0] == axis_rows && s[1] == tokens;  // [3, tokens]
  const bool thw_batched = s.size() == 3 && s[0] == axis_rows && s[1] == batch && s[2] == tokens;
  const bool four_row_shape = (s.size() == 2 && s[0] == 4 && s[1] == tokens) ||
                              (s.size() == 3 && s[0] == 4 && s[1] == batch && s[2] == tokens);
  if (kind == PositionsKind::automatic && four_row_shape)
    throw Error(source + ": positions of shape " + npy::shape_string(s) + " have four rows, which read " +
                (one_d_fits ? "three ways: 1-D positions per row of a batch of 4 (--positions-kind 1d), " : "two ways: ") +
                "transformers 5.x's [text; t; h; w] (--positions-kind text-thw: the text row is ignored) or ggml's "
                "(t, h, w, e) (--positions-kind thw-extra: the fourth position is ignored); say which");
  auto mismatch = [&](const std::string& hint) {
    return Error(source + ": positions of shape " + npy::shape_string(s) + " do not fit the input (" + std::to_string(batch) +
                 " rows of " + std::to_string(tokens) + " tokens); use " + kAcceptedShapes + hint);
  };
  bool thw = false;
  switch (kind) {
    case PositionsKind::one_d:
      if (!one_d_fits) throw mismatch(" (--positions-kind 1d takes only the 1-D shapes)");
      break;
    case PositionsKind::thw:
      if (!thw_one_row && !thw_batched) throw mismatch(" (--positions-kind thw takes only the (t, h, w) shapes)");
      thw = true;
      break;
    case PositionsKind::text_thw:
    case PositionsKind::thw_extra:
      if (!thw_one_row && !thw_batched)
        throw mismatch(" (--positions-kind " + std::string(kind == PositionsKind::text_thw ? "text-thw" : "thw-extra") +
                       " takes [4, tokens] or [4, batch, tokens])");
      thw = true;
      break;
    case PositionsKind::automatic:
      if (one_d_fits && thw_one_row)  // batch 3: [batch, tokens] and [3, tokens] are the same shape
        throw Error(source + ": positions of shape " + npy::shape_string(s) +
                    " for an input of 3 rows read two ways: 1-D positions per row ([batch, tokens]) or one (t, h, w) for "
                    "every row ([3, tokens]); say which with --positions-kind 1d or --positions-kind thw");
      if (one_d_fits) break;
      if (thw_batched || (thw_one_row && batch == 1)) {
        thw = true;
        break;
      }
      throw mismatch(thw_one_row ? " (to give every row the same (t, h, w), add --positions-kind thw)" : "");
  }
  if (p.type == npy::ElementType::float16 || p.type == npy::ElementType::uint16 || p.type == npy::ElementType::int16)
    throw Error(source + ": positions must be int32, int64, float32 or float64, not " + std::string(npy::to_string(p.type)));

  auto coordinate = [&](std::int64_t i) {
    Coordinate c;
    if (p.type == npy::ElementType::int64) {
      c = Coordinate(static_cast<std::int64_t>(p.bits(i)));  // INT64_MIN is the one int64 outside the range
    } else {
      const double v = p.value(i);
      if (!std::isfinite(v)) throw Error(source + ": " + element_label(i) + " is not finite");
      c = Coordinate(Rational(v));  // exact: every double is a rational
    }
    check_reference_position(c, source + ": " + element_label(i));
    return c;
  };
  const bool batched = thw ? thw_batched : s.size() == 2;
  std::vector<std::vector<Position3>> out(static_cast<std::size_t>(batch));
  for (int b = 0; b < batch; ++b) {
    const std::int64_t row = batched ? b : 0;
    const std::int64_t rows = batched ? batch : 1;
    out[b].reserve(static_cast<std::size_t>(tokens));
    for (int t = 0; t < tokens; ++t) {
      if (!thw) {
        out[b].push_back(Position3::diagonal(coordinate(row * tokens + t)));
        continue;
      }
      Position3 pos;
      for (Axis a : kAxes) pos[a] = coordinate(((first_axis + static_cast<std::int64_t>(a)) * rows + row) * tokens + t);
      out[b].push_back(pos);
    }
  }
  return out;
}

std::vector<std::vector<Position3>> read_positions_file(const std::string& path, int batch, int tokens, PositionsKind kind) {
  return positions_from_array(npy::read_npy(path), batch, tokens, kind, path);
}

}  // namespace mmrope::cli
