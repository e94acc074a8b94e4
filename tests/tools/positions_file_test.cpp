// Positions from .npy arrays: shapes read against the input's batch, the batch-3 ambiguity, and the value checks.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <span>
#include <string>
#include <unistd.h>
#include <vector>

#include "positions_file.hpp"

namespace mmrope::cli {
namespace {

std::vector<std::int64_t> iota(std::int64_t n, std::int64_t from = 0) {
  std::vector<std::int64_t> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) v[i] = from + i;
  return v;
}

npy::Array int64_array(std::vector<std::int64_t> shape, const std::vector<std::int64_t>& v) {
  return npy::make_array(std::move(shape), std::span<const std::int64_t>(v));
}

std::string error_of(const npy::Array& a, int batch, int tokens, PositionsKind kind = PositionsKind::automatic) {
  try {
    positions_from_array(a, batch, tokens, kind, "p.npy");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(PositionsFile, BatchOfThreeOneDimensionalWithTheOptionIsEachRowsOwn) {
  // transformers' position_ids for a batch of 3: [3, tokens], row b = b*10 + token.
  const auto a = int64_array({3, 4}, {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23});
  const auto rows = positions_from_array(a, 3, 4, PositionsKind::one_d, "p.npy");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2][1], Position3::diagonal(Coordinate(21)));
  EXPECT_EQ(rows[0][3], Position3::diagonal(Coordinate(3)));
}

TEST(PositionsFile, BatchOfThreeWithoutTheOptionIsRefusedNamingTheOption) {
  const auto a = int64_array({3, 4}, iota(12));
  const std::string e = error_of(a, 3, 4);
  EXPECT_NE(e.find("read two ways"), std::string::npos) << e;
  EXPECT_NE(e.find("--positions-kind 1d"), std::string::npos) << e;
  EXPECT_NE(e.find("--positions-kind thw"), std::string::npos) << e;
}

TEST(PositionsFile, ThwOfOneSequenceSharedByEveryRowWhenAsked) {
  const auto a = int64_array({3, 2}, {5, 6, 7, 8, 9, 10});  // t row, h row, w row
  const auto rows = positions_from_array(a, 3, 2, PositionsKind::thw, "p.npy");
  for (const auto& row : rows) {
    EXPECT_EQ(row[1].t, Coordinate(6));
    EXPECT_EQ(row[1].h, Coordinate(8));
    EXPECT_EQ(row[1].w, Coordinate(10));
  }
  // Without the option a batch of 2 is not 3, so [3, tokens] cannot be [batch, tokens]; the error says how.
  EXPECT_NE(error_of(a, 2, 2).find("add --positions-kind thw"), std::string::npos);
}

TEST(PositionsFile, ShapesReadFromTheBatchSize) {
  // [tokens] for one row; [batch, tokens] for batch 2 (not 3: no ambiguity); [3, tokens] for one row is (t, h, w).
  EXPECT_EQ(positions_from_array(int64_array({4}, iota(4)), 1, 4, PositionsKind::automatic, "p")[0][3],
            Position3::diagonal(Coordinate(3)));
  EXPECT_EQ(positions_from_array(int64_array({2, 4}, iota(8)), 2, 4, PositionsKind::automatic, "p")[1][0],
            Position3::diagonal(Coordinate(4)));
  const auto thw = positions_from_array(int64_array({3, 4}, iota(12)), 1, 4, PositionsKind::automatic, "p");
  EXPECT_EQ(thw[0][1], (Position3{Coordinate(1), Coordinate(5), Coordinate(9)}));
  // [3, batch, tokens]: axis-major, then row, then token.
  const auto batched = positions_from_array(int64_array({3, 2, 2}, iota(12)), 2, 2, PositionsKind::automatic, "p");
  EXPECT_EQ(batched[1][0], (Position3{Coordinate(2), Coordinate(6), Coordinate(10)}));
}

TEST(PositionsFile, ShapeMismatchAndForcedKindsAreRefused) {
  EXPECT_NE(error_of(int64_array({5}, iota(5)), 1, 4).find("do not fit the input (1 rows of 4 tokens)"), std::string::npos);
  EXPECT_NE(error_of(int64_array({3, 4}, iota(12)), 1, 4, PositionsKind::one_d).find("takes only the 1-D shapes"),
            std::string::npos);
  EXPECT_NE(error_of(int64_array({2, 4}, iota(8)), 2, 4, PositionsKind::thw).find("takes only the (t, h, w) shapes"),
            std::string::npos);
  EXPECT_NE(error_of(int64_array({}, {7}), 1, 1).find("do not fit"), std::string::npos);
}

TEST(PositionsFile, FloatPositionsBeyondTheReferencesRangeAreRefused) {
  for (double huge : {1e95, 1e100, 1e300, -1e300, 9223372036854775808.0}) {
    const std::vector<double> v = {0.5, huge};
    const std::string e = error_of(npy::make_array({2}, std::span<const double>(v)), 1, 2);
    EXPECT_NE(e.find("position element 1"), std::string::npos) << huge << ": " << e;
    EXPECT_NE(e.find("outside the range the reference is exact for (|p| <= 2^63 - 1)"), std::string::npos) << e;
  }
  // The largest double below 2^63 and tiny fractions are exact and inside the range.
  const std::vector<double> ok = {9223372036854774784.0, 1e-300, -0.25};
  const auto rows = positions_from_array(npy::make_array({3}, std::span<const double>(ok)), 1, 3, PositionsKind::automatic, "p");
  EXPECT_EQ(rows[0][2].t, Coordinate(Rational(-1) / 4));
  const std::vector<double> nan = {std::numeric_limits<double>::quiet_NaN()};
  EXPECT_NE(error_of(npy::make_array({1}, std::span<const double>(nan)), 1, 1).find("is not finite"), std::string::npos);
}

TEST(PositionsFile, EveryInt64ButTheMinimumIsInsideTheReferencesRange) {
  const std::vector<std::int64_t> v = {std::numeric_limits<std::int64_t>::min() + 1, std::numeric_limits<std::int64_t>::max()};
  const auto rows = positions_from_array(int64_array({2}, v), 1, 2, PositionsKind::automatic, "p");
  EXPECT_EQ(rows[0][1].t, Coordinate(std::numeric_limits<std::int64_t>::max()));
  // The positions fuzzer's finding: -2^63 has no int64 negation, and |p| = 2^63 is past the range.
  const std::vector<std::int64_t> minimum = {0, std::numeric_limits<std::int64_t>::min()};
  const std::string e = error_of(int64_array({2}, minimum), 1, 2);
  EXPECT_NE(e.find("position element 1: position '-9223372036854775808' is outside the range"), std::string::npos) << e;
}

TEST(PositionsFile, TheBatchTotalIsCheckedBeforeAnythingIsRead) {
  const std::string e = error_of(int64_array({1}, {0}), 1 << 13, 1 << 12);
  EXPECT_NE(e.find("pass the limit of 16777216 positions in all"), std::string::npos) << e;
}

TEST(PositionsFile, KindsParseAndUnknownOnesAreQuotedShort) {
  EXPECT_EQ(parse_positions_kind("1d"), PositionsKind::one_d);
  EXPECT_EQ(parse_positions_kind("thw"), PositionsKind::thw);
  EXPECT_EQ(parse_positions_kind("auto"), PositionsKind::automatic);
  try {
    parse_positions_kind(std::string(1000, 'x'));
    FAIL() << "accepted";
  } catch (const Error& e) {
    // The echo is the first 40 characters, so the message is its fixed text plus 40 + "'...' (1000 characters)":
    // the same length as for a 41-character kind, whatever the input's length.
    std::string fixed;
    try {
      parse_positions_kind(std::string(41, 'x'));
    } catch (const Error& f) {
      fixed = f.what();
    }
    EXPECT_EQ(std::string(e.what()).size(), fixed.size() + std::string("1000").size() - std::string("41").size()) << e.what();
    EXPECT_NE(std::string(e.what()).find("(1000 characters)"), std::string::npos);
  }
}

TEST(PositionsFile, ReadsAFileAndNamesItInErrors) {
  const auto path = std::filesystem::temp_directory_path() / ("mmrope_positions_" + std::to_string(::getpid()) + ".npy");
  npy::write_npy(path, int64_array({2, 3}, iota(6, 100)));
  EXPECT_EQ(read_positions_file(path.string(), 2, 3)[1][2], Position3::diagonal(Coordinate(105)));
  try {
    read_positions_file(path.string(), 3, 3);
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path.string(), 0), 0u) << e.what();
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace mmrope::cli

namespace mmrope::cli {
namespace {

// Four rows [text; t; h; w] (transformers 5.x) or (t, h, w, e) (ggml): read only when named, each row where it belongs.
TEST(PositionsFile, FourRowsAreReadOnlyWhenNamed) {
  // Row r, token k holds 100 r + k: the text row 0xx, t 1xx, h 2xx, w 3xx for text-thw; t 0xx ... e 3xx for thw-extra.
  std::vector<std::int64_t> v;
  for (std::int64_t r = 0; r < 4; ++r)
    for (std::int64_t k = 0; k < 5; ++k) v.push_back(100 * r + k);
  const auto a = npy::make_array({4, 5}, std::span<const std::int64_t>(v));
  const auto hf5 = positions_from_array(a, 1, 5, PositionsKind::text_thw, "p.npy");
  EXPECT_TRUE(hf5[0][2].t == Coordinate(102) && hf5[0][2].h == Coordinate(202) && hf5[0][2].w == Coordinate(302));
  const auto ggml = positions_from_array(a, 1, 5, PositionsKind::thw_extra, "p.npy");
  EXPECT_TRUE(ggml[0][2].t == Coordinate(2) && ggml[0][2].h == Coordinate(102) && ggml[0][2].w == Coordinate(202));
  // Batched [4, batch 2, tokens 5]: row b of axis r is element (r * 2 + b) * 5 + k.
  std::vector<std::int64_t> w(40);
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = static_cast<std::int64_t>(i);
  const auto batched = positions_from_array(npy::make_array({4, 2, 5}, std::span<const std::int64_t>(w)), 2, 5,
                                            PositionsKind::text_thw, "p.npy");
  EXPECT_TRUE(batched[1][3].t == Coordinate((1 * 2 + 1) * 5 + 3) && batched[1][3].w == Coordinate((3 * 2 + 1) * 5 + 3));
  auto message = [&](int batch, PositionsKind kind) {
    try {
      positions_from_array(a, batch, 5, kind, "p.npy");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string automatic = message(1, PositionsKind::automatic);
  EXPECT_NE(automatic.find("have four rows, which read two ways"), std::string::npos) << automatic;
  EXPECT_NE(automatic.find("--positions-kind text-thw"), std::string::npos) << automatic;
  EXPECT_NE(automatic.find("--positions-kind thw-extra"), std::string::npos) << automatic;
  // A batch of 4: [4, tokens] is also 1-D positions per row, so automatic refuses it three ways; 1d still reads it.
  EXPECT_NE(message(4, PositionsKind::automatic).find("three ways"), std::string::npos);
  EXPECT_EQ(positions_from_array(a, 4, 5, PositionsKind::one_d, "p.npy")[3][4].t, Coordinate(304));
  EXPECT_NE(message(1, PositionsKind::thw).find("do not fit"), std::string::npos);
  EXPECT_EQ(parse_positions_kind("thw-extra"), PositionsKind::thw_extra);
  EXPECT_THROW(parse_positions_kind("tthw"), Error);
}

}  // namespace
}  // namespace mmrope::cli
