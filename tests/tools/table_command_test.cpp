// `mmrope table --format csv`: the header, one row per preset, and a few rows of the derived Table 1.
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
  EXPECT_EQ(header, "design,3d_structure,modality_interval,freq_range,granularity,text_compatible");
  EXPECT_NE(r.out.find("\nvanilla,no,yes,-,-,yes\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nqwen2-vl,yes,yes,no,no,yes\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nvideorope,yes,no,no,no,yes\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nmhrope,yes,yes,yes,yes,yes\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nmrope-i,yes,yes,yes,no,yes\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nomni-rope,yes,yes,no,no,no\n"), std::string::npos) << r.out;
}

TEST(TableCommand, TextFormatAndBadFormat) {
  auto r = run_cli({"table"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.rfind("design", 0), 0u) << r.out;
  EXPECT_EQ(run_cli({"table", "--format", "json"}).status, 2);
}

}  // namespace
}  // namespace mmrope
