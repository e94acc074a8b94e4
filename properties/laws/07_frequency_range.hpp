// Law 7, as a check: per axis, the highest and lowest frequency it reads, and whether that is the full range.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string>

#include "reference/frequency/allocation.hpp"

namespace mmrope::laws {

// The pairs an axis reads: lo = its highest frequency (theta_lo = base^(-2 lo/d)), hi = its lowest, count.
// Multi-head gives an axis that has a head every pair of that head (the full spectrum, "full resolution").
struct AxisRange {
  int lo = -1, hi = -1, count = 0;
  bool used() const { return count > 0; }
};

inline std::array<AxisRange, 3> axis_ranges(const Allocation& a) {
  std::array<AxisRange, 3> r{};
  auto add = [&](PairAxis ax, int j) {
    if (!ax) return;
    AxisRange& x = r[static_cast<int>(*ax)];
    if (x.lo < 0) x.lo = j;
    x.hi = j;
    ++x.count;
  };
  if (a.per_head()) {
    for (Axis axis : kAxes)
      for (int k = 0; k < a.heads().kv; ++k)
        if (a.key_axis(k, 0) == axis) {
          r[static_cast<int>(axis)] = {0, a.pairs() - 1, a.pairs()};
          break;
        }
  } else {
    for (int j = 0; j < a.pairs(); ++j) add(a.key_axis(0, j), j);
  }
  return r;
}

// "Full frequency utilization" (2510.23095 sec. 2.3.2-2.3.3): every axis reads from the high end to the low
// end of the spectrum. Pairs are evenly spaced in log frequency, so "the top tenth" and "the bottom tenth" of
// the pair indices are tenths of the log spectrum. 0.1 because MRoPE-I [24,20,20] stops h at pair 58 and w at
// 59 of 63 (the 4 tail pairs go to t, 92% of the way down), while the best chunked axis reaches 63% of the
// way (Qwen2-VL h: 16..39) and VideoRoPE's spatial band stops at 75% (pair 47).
inline constexpr double kFullRangeEndFraction = 0.1;

inline bool axis_has_full_range(const AxisRange& r, int pairs) {
  const double end = kFullRangeEndFraction * (pairs - 1);
  return r.used() && r.lo <= end && r.hi >= (pairs - 1) - end;
}

// The axes of a 2-D design (RoPE-Tie: no time axis, its t column repeats h), the ones law 7 judges there.
inline constexpr std::array<Axis, 2> kSpatialAxes = {Axis::h, Axis::w};

// The first of `axes` (t, h, w order) without the full range, or nullopt when every one has it.
inline std::optional<std::string> full_range_violation(const Allocation& a, std::span<const Axis> axes = kAxes) {
  const auto r = axis_ranges(a);
  for (Axis axis : axes) {
    const AxisRange& x = r[static_cast<int>(axis)];
    if (!axis_has_full_range(x, a.pairs()))
      return std::string(1, "thw"[static_cast<int>(axis)]) +
             (x.used() ? " reads pairs " + std::to_string(x.lo) + ".." + std::to_string(x.hi) : std::string(" reads no pair")) +
             " of 0.." + std::to_string(a.pairs() - 1);
  }
  return std::nullopt;
}

// Granularity (Table 1 "Gran."): no axis loses frequency resolution to channel splitting, i.e. every one of
// `axes` reads every pair (only a per-head allocation can do that within a head count).
inline bool full_granularity(const Allocation& a, std::span<const Axis> axes = kAxes) {
  const auto r = axis_ranges(a);
  for (Axis axis : axes)
    if (r[static_cast<int>(axis)].count != a.pairs()) return false;
  return true;
}

}  // namespace mmrope::laws
