// The seed of a random test: MMROPE_TEST_SEED if set (to replay), else fresh; always printed.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>

namespace mmrope {

// Prints "seed N (replay: MMROPE_TEST_SEED=N)" on stdout and returns N; failures also carry it via SCOPED_TRACE.
inline std::uint64_t test_seed() {
  std::uint64_t seed;
  if (const char* env = std::getenv("MMROPE_TEST_SEED"); env && *env) seed = std::strtoull(env, nullptr, 10);
  else seed = (static_cast<std::uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}();
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::cout << "[ seed     ] " << (info ? std::string(info->test_suite_name()) + "." + info->name() : std::string("?"))
            << ": " << seed << " (replay: MMROPE_TEST_SEED=" << seed << ")\n";
  return seed;
}

}  // namespace mmrope
