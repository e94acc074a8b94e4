// `mmrope table`: the header, one row per preset labelled with its reading (library or paper), a few rows of Table 1.
#include <gtest/gtest.h>

#include <sstream>

#include "cli_runner.hpp"

namespace mmrope {
namespace {

TEST(TableCommand, CsvHeaderAndRows) {
  auto r = run_cli({"table", "--format", "csv"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::istringstream lines(r.out);
  std::string header;
  std::getline(lines, header);
  EXPECT_EQ(header, "design,reading,3d_structure,modality_interval,freq_range,granularity,text_compatible");
  EXPECT_NE(r.out.find("\nvanilla,library,no,yes,-,-,yes\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nqwen2-vl,library,yes,yes,no,no,yes\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nvideorope,library,yes,no,no,no,yes\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nmhrope,library,yes,yes,yes,yes,yes\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nmrope-i,library,yes,yes,yes,no,yes\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nomni-rope,library,yes,yes,no,no,no\n"), std::string::npos) << r.out;
}

// The paper's readings of RoPE-Tie and IL-RoPE, each on the line right after the library's reading, differ from it
// in freq_range only (see properties/table1_test.cpp for why each cell is what it is).
TEST(TableCommand, PaperReadingsFollowTheLibraryReadings) {
  auto r = run_cli({"table", "--format", "csv"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("\nrope-tie,library,yes,no,no,no,yes\nrope-tie-paper,paper,yes,no,yes,no,yes\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\nil-rope,library,yes,yes,yes,no,no\nil-rope-paper,paper,yes,yes,no,no,no\n"), std::string::npos)
      << r.out;
}

TEST(TableCommand, TextFormatAndBadFormat) {
  auto r = run_cli({"table"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.rfind("design", 0), 0u) << r.out;
  std::istringstream lines(r.out);
  std::string header, line;
  std::getline(lines, header);
  EXPECT_NE(header.find("reading"), std::string::npos) << header;
  int paper = 0;
  while (std::getline(lines, line)) {
    std::istringstream cells(line);
    std::string design, reading;
    cells >> design >> reading;
    EXPECT_EQ(reading, design == "rope-tie-paper" || design == "il-rope-paper" ? "paper" : "library") << line;
    paper += reading == "paper";
  }
  EXPECT_EQ(paper, 2);
  EXPECT_EQ(run_cli({"table", "--format", "json"}).status, 2);
}

}  // namespace
}  // namespace mmrope
