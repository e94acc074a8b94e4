// Hostile command lines: every exception becomes one line and exit 2, sizes are capped before allocation,
// and echoed values are cut short.
#include <gtest/gtest.h>

#include <chrono>
#include <new>
#include <sstream>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <vector>

#include "cli_runner.hpp"
#include "reference/error.hpp"
#include "reference/frequency/allocation_registry.hpp"

namespace mmrope {
namespace {

// One line: the text ends in its only newline.
bool is_one_line(const std::string& s) { return !s.empty() && s.find('\n') == s.size() - 1; }

TEST(ErrorReporting, EveryStandardExceptionBecomesOneLineAndStatusTwo) {
  const std::vector<std::function<void()>> throwers = {
      [] { throw Error("bad input"); },
      [] { throw std::bad_alloc(); },
      [] { throw std::length_error("vector::_M_default_append"); },
      [] { throw std::out_of_range("map::at"); },
      [] { throw std::invalid_argument("stoi"); },
      [] { throw std::logic_error("logic\nwith a newline"); },
      [] { throw std::runtime_error("runtime"); },
      [] { throw std::overflow_error("overflow"); },
      [] { throw std::bad_cast(); },
      [] { throw 42; },
  };
  for (std::size_t i = 0; i < throwers.size(); ++i) {
    std::ostringstream err;
    const int status = cli::run_reporting_errors("positions", [&] { throwers[i](); return 0; }, err);
    EXPECT_EQ(status, 2) << "thrower " << i;
    EXPECT_TRUE(is_one_line(err.str())) << "thrower " << i << ": " << err.str();
    EXPECT_EQ(err.str().rfind("mmrope positions: error: ", 0), 0u) << err.str();
  }
  std::ostringstream err;
  cli::run_reporting_errors("", [] () -> int { throw std::bad_alloc(); }, err);
  EXPECT_EQ(err.str(), "mmrope: error: out of memory: the input asks for more memory than this machine can give\n");
  std::ostringstream err2;
  cli::run_reporting_errors("x", [] () -> int { throw Error("what is wrong"); }, err2);
  EXPECT_EQ(err2.str(), "mmrope x: error: what is wrong\n");
  std::ostringstream err3;
  EXPECT_EQ(cli::run_reporting_errors("x", [] { return 7; }, err3), 7);  // a normal return passes through
  EXPECT_EQ(err3.str(), "");
}

TEST(ErrorReporting, LongMessagesAreCut) {
  std::ostringstream err;
  cli::run_reporting_errors("x", [] () -> int { throw std::runtime_error(std::string(100000, 'y')); }, err);
  EXPECT_LT(err.str().size(), 500u);
  EXPECT_TRUE(is_one_line(err.str()));
}

TEST(HostileInputs, PadToPastTheTokenCapIsRefusedBeforeAllocating) {
  for (const char* pad : {"1099511627776", "9223372036854775807", "16777217"}) {
    const auto r = run_cli({"positions", "--preset", "vanilla", "--layout", "text:1", "--pad-to", pad});
    EXPECT_EQ(r.status, 2) << pad;
    EXPECT_NE(r.err.find("passes the limit of 16777216 tokens per sequence"), std::string::npos) << r.err;
    EXPECT_TRUE(is_one_line(r.err)) << r.err;
  }
}

TEST(HostileInputs, ABatchPastTheTotalCapIsRefusedBeforeAllocating) {
  // Two rows of 2^24 - 1 slots each: every row is within its cap, the batch is not.
  const auto started = std::chrono::steady_clock::now();
  const auto r = run_cli({"positions", "--preset", "vanilla", "--layout", "text:1", "--layout", "text:2", "--pad-to",
                          "16777215"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("the batch of 2 sequences of 16777215 tokens passes the limit of 16777216 tokens in all"),
            std::string::npos) << r.err;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));  // refused, not built then refused
}

TEST(HostileInputs, RotaryDimPastHeadDimIsRefusedBeforeTheAllocationIsBuilt) {
  const auto started = std::chrono::steady_clock::now();
  const auto r = run_cli({"allocation", "--preset", "vanilla", "--rotary-dim", "2147483646"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("must be a positive even number at most 16384"), std::string::npos) << r.err;
  // qwen2-vl's sections cover 64 pairs, not 128: the head dim is checked first, before the allocation is built.
  const auto r2 = run_cli({"allocation", "--preset", "qwen2-vl", "--rotary-dim", "256"});
  EXPECT_EQ(r2.status, 2);
  EXPECT_NE(r2.err.find("rotary dim 256 exceeds head dim 128"), std::string::npos) << r2.err;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
}

TEST(HostileInputs, EchoedValuesAreCutToAShortPrefix) {
  const std::string digits(100000, '9');
  const std::vector<std::vector<std::string>> commands = {
      {"positions", "--preset", "vanilla", "--layout", "text:" + digits},
      {"positions", "--preset", "vanilla", "--layout", "text:-" + digits},
      {"positions", "--preset", "vanilla", "--layout", "text:x" + digits},
      {"positions", "--preset", "vanilla", "--layout", "text:1", "--param", digits + "=1"},
      {"positions", "--preset", "vanilla", "--layout", "text:1", "--param", "merge_size=" + digits},
      {"positions", "--preset", "vanilla", "--layout", "text:1", "--param", digits},
      {"positions", "--preset", "qwen2-vl", "--layout", "video:1x4x4@" + digits},
      {"positions", "--preset", digits, "--layout", "text:1"},
      {"positions", "--design", digits, "--layout", "text:1"},
      {"allocation", "--preset", "qwen2-vl", "--sections", digits},
      {"allocation", "--preset", "qwen2-vl", "--sections", "1,2,x" + digits},
      {"allocation", "--preset", "mhrope", "--heads", digits},
  };
  for (const auto& args : commands) {
    const auto r = run_cli(args);
    EXPECT_EQ(r.status, 2) << args.back().substr(0, 20);
    EXPECT_LT(r.err.size(), 400u) << r.err.substr(0, 400);
    EXPECT_TRUE(is_one_line(r.err)) << r.err.substr(0, 400);
    EXPECT_NE(r.err.find("characters)"), std::string::npos) << r.err.substr(0, 400);  // says how long the value was
  }
}

TEST(HostileInputs, MakeAllocationBoundsPairsAndHeadsBeforeBuilding) {
  // The rotary spec fuzzer's finding: make_allocation("2d", "", 644444444) built 644 million pairs.
  EXPECT_THROW(make_allocation("2d", "", 644444444), Error);
  EXPECT_THROW(make_allocation("1d", "", kMaxRotaryDim / 2 + 1), Error);
  EXPECT_EQ(make_allocation("1d", "", kMaxRotaryDim / 2).pairs(), kMaxRotaryDim / 2);
  // Multi-head without heads: as many KV heads as the sections count, which are bounded too.
  EXPECT_THROW(make_allocation("multi-head", "999999,999999,999999", 64), Error);
  EXPECT_THROW(parse_heads("999999:1"), Error);
  EXPECT_EQ(parse_heads("65536:1").query, 65536);
}

TEST(QuotedPrefix, ShortValuesWholeLongOnesCutWithTheirLength) {
  EXPECT_EQ(quoted_prefix("16,24,24"), "'16,24,24'");
  EXPECT_EQ(quoted_prefix(std::string(40, 'a')), "'" + std::string(40, 'a') + "'");
  EXPECT_EQ(quoted_prefix(std::string(41, 'a')), "'" + std::string(40, 'a') + "...' (41 characters)");
  EXPECT_EQ(quoted_prefix("a\nb\x01", 10), "'a?b?'");
  EXPECT_EQ(quoted_prefix("abcdef", 3), "'abc...' (6 characters)");
}

}  // namespace
}  // namespace mmrope
