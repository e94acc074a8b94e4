// What the CPU benchmarks share: a checked integer option and the best-of-N wall time of a piece of work.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string_view>

namespace mmrope::benchmarks {

// The integer an option was given, in [lowest, highest]; anything else ends the program with exit status 2.
inline int parse_count(std::string_view flag, const char* text, long lowest, long highest) {
  char* end = nullptr;
  const long v = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || v < lowest || v > highest) {
    std::cerr << flag << " expects an integer in [" << lowest << ", " << highest << "], got '" << text << "'\n";
    std::exit(2);
  }
  return static_cast<int>(v);
}

// The shortest of `repeats` runs of f, in seconds (the machines are shared: the least disturbed run).
template <class F>
double best_seconds(int repeats, F&& f) {
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

}  // namespace mmrope::benchmarks
