// `mmrope decay`: CSV values at distance 0 are (n_a + 1) / 2 per axis, the SVG draws one line per axis with pairs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "cli_runner.hpp"

namespace mmrope {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

// B_a(0) = (1/n) sum_{j=1..n} |S_j(0)| with |S_j(0)| = j (j terms of e^0) = (n + 1) / 2.
// qwen2-vl chunked [16,24,24]: t 8.5, h 12.5, w 12.5. Every distance from 0 to 64 is a row.
TEST(DecayCommand, CsvStartsAtHalfThePairCountPlusOne) {
  auto r = run_cli({"decay", "--preset", "qwen2-vl", "--max-distance", "1000", "--csv", "-"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.rfind("distance,t,h,w\n0,8.5,12.5,12.5\n1,", 0), 0u) << r.out.substr(0, 80);
  EXPECT_NE(r.out.find("\n64,"), std::string::npos);
  EXPECT_NE(r.out.find("\n1000,"), std::string::npos);  // the last row is the maximum itself
  // Normalised: every axis starts at 1.
  auto n = run_cli({"decay", "--preset", "qwen2-vl", "--max-distance", "10", "--csv", "-", "--normalized"});
  EXPECT_EQ(n.out.rfind("distance,t,h,w\n0,1,1,1\n", 0), 0u) << n.out.substr(0, 80);
}

// HoPE gives t no rotating pair: its column stays 0 and the plot has two lines (h, w).
TEST(DecayCommand, SvgHasALinePerAxisWithPairs) {
  const std::string dir = ::testing::TempDir();
  const std::string qwen = dir + "/decay_qwen_" + std::to_string(::getpid()) + ".svg";
  const std::string hope = dir + "/decay_hope_" + std::to_string(::getpid()) + ".svg";
  ASSERT_EQ(run_cli({"decay", "--preset", "qwen2-vl", "--svg", qwen}).status, 0);
  auto h = run_cli({"decay", "--preset", "hope", "--svg", hope, "--csv", "-", "--max-distance", "5"});
  ASSERT_EQ(h.status, 0) << h.err;
  EXPECT_EQ(count(read_file(qwen), "<polyline"), 3u);
  EXPECT_EQ(count(read_file(hope), "<polyline"), 2u);
  EXPECT_NE(h.out.find("\n0,0,12.5,12.5\n"), std::string::npos) << h.out;
  std::filesystem::remove(qwen);
  std::filesystem::remove(hope);
}

TEST(DecayCommand, BadArgumentsExitTwo) {
  EXPECT_EQ(run_cli({"decay", "--preset", "qwen2-vl"}).status, 2);  // no output asked for
  EXPECT_EQ(run_cli({"decay", "--preset", "nope", "--csv", "-"}).status, 2);
  EXPECT_EQ(run_cli({"decay", "--preset", "qwen2-vl", "--csv", "/no/such/dir/x.csv"}).status, 2);
  EXPECT_EQ(run_cli({"decay", "--preset", "qwen2-vl", "--csv", "-", "--max-distance", "0"}).status, 2);
}

}  // namespace
}  // namespace mmrope
