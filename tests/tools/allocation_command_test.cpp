// `mmrope allocation`: the map of a preset, overrides of rotary dim, sections and heads, and its errors.
#include <gtest/gtest.h>

#include "cli_runner.hpp"

namespace mmrope {
namespace {

TEST(AllocationCommand, MapOnly) {
  auto r = run_cli({"allocation", "--preset", "qwen2-vl", "--map-only"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, std::string(16, 't') + std::string(24, 'h') + std::string(24, 'w') + "\n");
}

TEST(AllocationCommand, Qwen35Override) {
  auto r = run_cli({"allocation", "--preset", "qwen3-vl", "--rotary-dim", "64", "--sections", "11,11,10"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("map: thwthwthwthwthwthwthwthwthwthwth\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("counts: t 11, h 11, w 10, none 0\n"), std::string::npos) << r.out;
}

TEST(AllocationCommand, MultiHead) {
  auto r = run_cli({"allocation", "--preset", "mhrope", "--heads", "16:8"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("map: tttthhhhhhwwwwww\n"), std::string::npos) << r.out;
}

TEST(AllocationCommand, Errors) {
  EXPECT_EQ(run_cli({"allocation", "--preset", "qwen9"}).status, 2);
  EXPECT_EQ(run_cli({"allocation", "--preset", "qwen3-vl", "--rotary-dim", "64"}).status, 2);  // sections sum 64
  EXPECT_EQ(run_cli({"allocation", "--preset", "mhrope", "--heads", "7:2"}).status, 2);
  auto r = run_cli({"allocation", "--preset", "qwen2-vl", "--rotary-dim", "63"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("even"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace mmrope
