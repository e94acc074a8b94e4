// Every `$ mmrope ...` example of docs/*.md and README.md runs in-process and prints exactly what the docs show.
//
// An example is a fenced block with the info string `console` whose first line is `$ mmrope ARGS...`
// (arguments split at whitespace; double quotes group an argument with spaces, and inside them \" and
// \\ stand for " and \; no other shell syntax) and whose remaining lines are the exact stdout. Console
// blocks that do not start with "$ mmrope " are not examples and are left alone. Each example is its
// own test case, named after its file and the line of its opening fence.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <istream>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cli_runner.hpp"
#include "doc_command_line.hpp"
#include "reference/presets/presets.hpp"

namespace mmrope {
namespace {

namespace fs = std::filesystem;

// The document that specifies the designs: it must exist and show every design.
constexpr const char* kLayoutRules = "docs/layout-rules.md";

struct DocExample {
  std::string file;               // relative to the repository root, e.g. docs/layout-rules.md
  int line = 0;                   // 1-based line of the opening ```console fence
  std::string command;            // the command line after "$ "
  std::vector<std::string> args;  // the arguments after "mmrope"
  std::string problem;            // why the block is not a runnable example (empty when it is)
  std::string expected;           // the block's remaining lines, each followed by "\n"

  std::string where() const { return file + ":" + std::to_string(line); }
};

// gtest prints a parameter when a test fails or is listed; the location is what a reader needs.
void PrintTo(const DocExample& e, std::ostream* os) { *os << e.where() << ": $ " << e.command; }

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// A fence line: up to three spaces, then ``` (CommonMark). Returns the text after the backticks.
std::optional<std::string_view> fence_info(std::string_view line) {
  std::size_t indent = 0;
  while (indent < line.size() && indent < 3 && line[indent] == ' ') ++indent;
  line.remove_prefix(indent);
  if (!starts_with(line, "```")) return std::nullopt;
  line.remove_prefix(3);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  return line;
}

// Every `$ mmrope` example of one markdown text.
std::vector<DocExample> extract_examples(std::istream& in, const std::string& file) {
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  std::vector<DocExample> out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto info = fence_info(lines[i]);
    if (!info) continue;
    // Find the closing fence whatever the block is, so code inside other blocks is never read.
    std::size_t end = i + 1;
    while (end < lines.size() && !fence_info(lines[end])) ++end;
    const bool is_example = *info == "console" && i + 1 < end && starts_with(lines[i + 1], "$ mmrope ");
    if (is_example) {
      DocExample e;
      e.file = file;
      e.line = static_cast<int>(i) + 1;
      e.command = lines[i + 1].substr(2);
      if (end == lines.size()) e.problem = "the ```console block is never closed";
      std::string error;
      if (auto args = split_command(e.command, error)) {
        e.args.assign(args->begin() + 1, args->end());  // args->front() is "mmrope"
      } else if (e.problem.empty()) {
        e.problem = error;
      }
      for (std::size_t k = i + 2; k < end; ++k) e.expected += lines[k] + "\n";
      out.push_back(std::move(e));
    }
    i = end;  // past the closing fence (or the end of the text)
  }
  return out;
}

fs::path repository_root() { return fs::path(MMROPE_SOURCE_DIR); }

// The markdown files whose examples are checked: docs/layout-rules.md first, then the other
// docs/*.md in name order, then README.md. Paths are relative to the repository root.
std::vector<std::string> documented_files() {
  const fs::path root = repository_root();
  std::vector<std::string> files = {kLayoutRules};
  std::vector<std::string> others;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root / "docs", ec)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".md") continue;
    const std::string rel = "docs/" + entry.path().filename().string();
    if (rel != kLayoutRules) others.push_back(rel);
  }
  std::sort(others.begin(), others.end());
  files.insert(files.end(), others.begin(), others.end());
  if (fs::exists(root / "README.md")) files.push_back("README.md");
  return files;
}

std::vector<DocExample> examples_of(const std::string& file) {
  std::ifstream in(repository_root() / file);
  if (!in) return {};
  return extract_examples(in, file);
}

std::vector<DocExample> all_examples() {
  std::vector<DocExample> all;
  for (const auto& file : documented_files()) {
    auto examples = examples_of(file);
    all.insert(all.end(), examples.begin(), examples.end());
  }
  return all;
}

// The doc line of the first output line that differs, to point the reader at it.
int first_differing_doc_line(const DocExample& e, const std::string& actual) {
  std::istringstream want(e.expected), got(actual);
  std::string a, b;
  for (int k = 0;; ++k) {
    const bool more_a = static_cast<bool>(std::getline(want, a));
    const bool more_b = static_cast<bool>(std::getline(got, b));
    if (!more_a && !more_b) return e.line;  // only the final newline differs
    if (more_a != more_b || a != b) return e.line + 2 + k;  // the fence, the "$" line, then output line k
  }
}

class DocsExample : public ::testing::TestWithParam<DocExample> {};

TEST_P(DocsExample, PrintsWhatTheDocShows) {
  const DocExample& e = GetParam();
  SCOPED_TRACE(e.where() + ": $ " + e.command);
  ASSERT_TRUE(e.problem.empty()) << "example at " << e.where() << ": " << e.problem;
  // Examples run from the repository root, so the files they name (tests/tools/data/...) are found.
  const fs::path here = fs::current_path();
  fs::current_path(repository_root());
  const CliResult r = run_cli(e.args);
  fs::current_path(here);
  EXPECT_EQ(r.status, 0) << "example at " << e.where() << " exited with status " << r.status << "; stderr: " << r.err;
  EXPECT_EQ(r.out, e.expected) << "example at " << e.where() << ": stdout differs from the doc, first at "
                               << e.file << ":" << first_differing_doc_line(e, r.out);
}

std::string test_name(const ::testing::TestParamInfo<DocExample>& info) {
  std::string name;
  for (char c : info.param.file) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name + "_line_" + std::to_string(info.param.line);
}

INSTANTIATE_TEST_SUITE_P(Docs, DocsExample, ::testing::ValuesIn(all_examples()), test_name);
// With no examples at all, the coverage test below fails with a message that says so.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(DocsExample);

// The value of `--NAME VALUE` or `--NAME=VALUE`, if the arguments have it.
std::optional<std::string> option_value(const std::vector<std::string>& args, const std::string& name) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == name && i + 1 < args.size()) return args[i + 1];
    if (starts_with(args[i], name + "=")) return args[i].substr(name.size() + 1);
  }
  return std::nullopt;
}

// The design an example runs: --design NAME, or the design of --preset NAME; nullopt if neither is valid.
std::optional<std::string> design_of(const DocExample& e) {
  if (auto design = option_value(e.args, "--design")) return design;
  if (auto preset = option_value(e.args, "--preset")) {
    try {
      return find_preset(*preset).design;
    } catch (const Error&) {
      return std::nullopt;  // the example's own test reports the unknown preset
    }
  }
  return std::nullopt;
}

// layout-rules.md is the specification of every design: each registered design needs an example,
// so the examples cannot pass by being absent.
TEST(DocsExamples, LayoutRulesShowsEveryRegisteredDesign) {
  ASSERT_TRUE(fs::exists(repository_root() / kLayoutRules)) << kLayoutRules << " is missing";
  const auto examples = examples_of(kLayoutRules);
  ASSERT_FALSE(examples.empty()) << kLayoutRules << " has no ```console example starting with \"$ mmrope \"";
  std::set<std::string> shown;
  for (const auto& e : examples)
    if (auto design = design_of(e)) shown.insert(*design);
  for (const auto& d : design_registry())
    EXPECT_TRUE(shown.count(d.name)) << kLayoutRules << " has no example of design " << d.name
                                     << " (an example with --design " << d.name << " or a preset of it)";
}

TEST(DocsExamples, SplitsQuotedArguments) {
  std::string error;
  auto args = split_command(R"(mmrope positions --layout "text:3 image:1x4x6" --param "a=\"b\"" x"y z")", error);
  ASSERT_TRUE(args) << error;
  EXPECT_EQ(*args, (std::vector<std::string>{"mmrope", "positions", "--layout", "text:3 image:1x4x6", "--param",
                                             "a=\"b\"", "xy z"}));
  EXPECT_FALSE(split_command(R"(mmrope positions --layout "text:3)", error));
  EXPECT_NE(error.find("unbalanced"), std::string::npos);
  EXPECT_FALSE(split_command("mmrope positions | head", error));
  EXPECT_NE(error.find("'|'"), std::string::npos);
}

TEST(DocsExamples, ExtractsOnlyMmropeConsoleBlocks) {
  std::istringstream md(
      "# t\n"                                    // 1
      "```console\n"                             // 2
      "$ mmrope presets --preset qwen2-vl\n"     // 3
      "line one\n"                               // 4
      "\n"                                       // 5
      "```\n"                                    // 6
      "```sh\n"                                  // 7
      "$ mmrope not an example\n"                // 8
      "```\n"                                    // 9
      "```console\n"                             // 10
      "$ ls\n"                                   // 11
      "```\n"                                    // 12
      "```console\r\n"                           // 13
      "$ mmrope positions --layout \"text:1\"\r\n"  // 14
      "```\n"                                    // 15
      "```console\n"                             // 16
      "$ mmrope x\n");                           // 17: never closed
  const auto ex = extract_examples(md, "doc.md");
  ASSERT_EQ(ex.size(), 3u);
  EXPECT_EQ(ex[0].line, 2);
  EXPECT_EQ(ex[0].args, (std::vector<std::string>{"presets", "--preset", "qwen2-vl"}));
  EXPECT_EQ(ex[0].expected, "line one\n\n");
  EXPECT_TRUE(ex[0].problem.empty());
  EXPECT_EQ(ex[1].line, 13);
  EXPECT_EQ(ex[1].args, (std::vector<std::string>{"positions", "--layout", "text:1"}));
  EXPECT_EQ(ex[1].expected, "");
  EXPECT_EQ(ex[2].line, 16);
  EXPECT_NE(ex[2].problem.find("never closed"), std::string::npos);
}

}  // namespace
}  // namespace mmrope
