// docs/errors.md cannot drift: every row of its table of invalid inputs runs through mmrope::cli::run.
//
// A row is `| what | `mmrope ARGS...` | STATUS | `FRAGMENT` |`: the command (split as the docs examples are,
// double quotes only) must exit with STATUS, and its standard error must contain FRAGMENT. Arguments starting
// with tests/ are files of the source tree.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "cli_runner.hpp"
#include "doc_command_line.hpp"

namespace mmrope {
namespace {

struct ErrorRow {
  int line = 0;
  std::string command, fragment, problem;
  int status = -1;
};

std::string trimmed(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return std::string(s);
}

// The text inside one pair of backticks, or empty when the cell is not exactly a code span.
std::string code_span(const std::string& cell) {
  if (cell.size() < 2 || cell.front() != '`' || cell.back() != '`') return "";
  return cell.substr(1, cell.size() - 2);
}

std::vector<ErrorRow> error_rows() {
  std::string path = MMROPE_SOURCE_DIR;  // += rather than +: GCC 12 warns falsely (-Warray-bounds) on the inlined +
  path += "/docs/errors.md";
  std::ifstream in(path);
  std::vector<ErrorRow> rows;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.rfind("| ", 0) != 0) continue;
    std::vector<std::string> cells;
    for (std::size_t start = 1, bar; (bar = line.find('|', start)) != std::string::npos; start = bar + 1)
      cells.push_back(trimmed(std::string_view(line).substr(start, bar - start)));
    if (cells.size() < 2 || code_span(cells[1]).rfind("mmrope", 0) != 0) continue;  // not a command row
    ErrorRow r;
    r.line = number;
    r.command = code_span(cells[1]);
    if (cells.size() != 4) {
      r.problem = "a command row needs 4 cells";
    } else {
      r.fragment = code_span(cells[3]);
      if (r.fragment.empty()) r.problem = "the fourth cell must be a `fragment`";
      if (cells[2].empty() || cells[2].find_first_not_of("0123456789") != std::string::npos)
        r.problem = "the third cell must be the exit status";
      else
        r.status = std::stoi(cells[2]);
    }
    rows.push_back(r);
  }
  return rows;
}

TEST(ErrorsDoc, TheTableCoversTheClassesOfInvalidInput) {
  const auto rows = error_rows();
  EXPECT_GE(rows.size(), 30u) << "docs/errors.md lost rows of its table";
}

TEST(ErrorsDoc, EveryRowGivesItsStatusAndMessage) {
  for (const ErrorRow& row : error_rows()) {
    SCOPED_TRACE("docs/errors.md:" + std::to_string(row.line) + ": " + row.command);
    ASSERT_EQ(row.problem, "");
    std::string error;
    const auto args = split_command(row.command, error);
    ASSERT_TRUE(args) << error;
    std::vector<std::string> cli_args(args->begin() + 1, args->end());  // without "mmrope"
    for (auto& a : cli_args)
      if (a.rfind("tests/", 0) == 0) a.insert(0, MMROPE_SOURCE_DIR "/");
    const CliResult r = run_cli(cli_args);
    EXPECT_EQ(r.status, row.status) << r.err;
    EXPECT_NE(r.err.find(row.fragment), std::string::npos) << "stderr: " << r.err;
    if (r.status == 2) {
      EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "not one line: " << r.err;
    }
  }
}

}  // namespace
}  // namespace mmrope
