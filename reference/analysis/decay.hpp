// The paper's long-range decay indicator (arXiv 2510.23095 appendix D.2, Figure 4): mean |S_j| per axis against relative distance.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "../angles.hpp"
#include "../frequency/frequency_plan.hpp"

namespace mmrope {

// The formula. D.2 writes the rotary part of the score as Re[sum_i h_i e^{i Delta theta_i}] (eq. 5), sums by
// parts with S_j = sum_{k=0}^{j-1} e^{i Delta theta_k}, S_0 = 0, and bounds
//   |score| <= (max_i |h_{i+1} - h_i|) * sum_{i=0}^{d/2-1} |S_{i+1}|;
// its indicator of how that bound falls with distance is the mean
//   B(Delta) = (1 / (d/2)) * sum_{j=1}^{d/2} |S_j(Delta)|.
//
// Per axis (how Figure 4 draws one curve per t, h, w): move the key by Delta along axis a only. The pairs of
// other axes then keep phase 0 (e^0 = 1, a position-independent constant of the score), so the part of the
// score that varies is the sum over the n_a pairs that read a, in pair order (theta descending). D.2's
// derivation applied to that sum gives, with a's frequencies theta_{a,0} > theta_{a,1} > ...,
//   S_{a,j}(Delta) = sum_{k=0}^{j-1} e^{i Delta theta_{a,k}},   B_a(Delta) = (1 / n_a) sum_{j=1}^{n_a} |S_{a,j}(Delta)|.
// This is exactly the paper's B for 1-D RoPE (n_t = d/2, every pair). Multi-head RoPE gives an axis the whole
// spectrum (every pair of the heads that read it), so each of its axes draws the 1-D curve: Figure 4(b).
// Chunked MRoPE gives t only the highest frequencies, so its t curve falls first and h, w fall at different
// rates: Figure 4(a). HoPE's pairs that do not rotate belong to no axis. An axis with no pairs has B_a = 0.
//
// Closed forms the tests use: B_a(0) = (n_a + 1) / 2 (every S_j = j); n_a = 1 gives B_a = 1 at every
// distance; n_a = 2 gives (1 + 2 |cos(Delta (theta_0 - theta_1) / 2)|) / 2.
//
// Figure 4 does not say whether its curves are normalised; the normalised indicator divides by B_a(0), so
// every curve starts at 1 and axes with different pair counts compare by shape alone. The spectrum read is
// the plan's, after scaling (NTK, YaRN, ...); YaRN's attention factor scales the score, not B, and is left out.

// The pairs that read axis a, pair 0 (highest frequency) first: the pairs mapped to a, or for multi-head the
// whole spectrum when some KV head reads a (and none otherwise).
template <class S>
std::vector<int> axis_pairs(const FrequencyPlan<S>& plan, Axis axis) {
  const Allocation& a = plan.spec.allocation;
  std::vector<int> out;
  if (a.per_head()) {
    bool read = false;
    for (int k = 0; k < a.heads().kv; ++k) read = read || a.key_axis(k, 0) == PairAxis{axis};
    if (read)
      for (int j = 0; j < a.pairs(); ++j) out.push_back(j);
    return out;
  }
  for (int j = 0; j < a.pairs(); ++j)
    if (a.key_axis(0, j) == PairAxis{axis}) out.push_back(j);
  return out;
}

// B(Delta) = (1/n) sum_{j=1}^{n} |sum_{k<j} e^{i Delta theta_k}| over the given pairs, in order; 0 for none.
// The phases come from the angle stage, one evaluation each (a sweep's distances do not recur).
template <class S>
S decay_indicator(const ExactAngles<S>& angles, const std::vector<int>& pairs, const Coordinate& distance) {
  using std::sqrt;
  if (pairs.empty()) return S(0);
  S re = 0, im = 0, total = 0;
  for (int j : pairs) {
    const CosSin<S> cs = angles.uncached(distance, j);
    re += cs.cos;
    im += cs.sin;
    total += sqrt(re * re + im * im);  // |S_j|
  }
  return total / S(static_cast<int>(pairs.size()));
}

// B_a(Delta) for a = t, h, w.
template <class S>
std::array<S, 3> decay_per_axis(const FrequencyPlan<S>& plan, const Coordinate& distance) {
  const ExactAngles<S> angles(plan);
  std::array<S, 3> out;
  for (Axis axis : kAxes) out[static_cast<int>(axis)] = decay_indicator(angles, axis_pairs(plan, axis), distance);
  return out;
}

// One row of a decay table: the distance and the indicator of t, h, w (as doubles, for printing and plots).
struct DecayRow {
  std::int64_t distance = 0;
  std::array<double, 3> value{};  // t, h, w
};

struct DecayTable {
  std::string allocation;          // the allocation's name
  std::array<int, 3> pairs{};      // n_t, n_h, n_w: how many frequencies each axis reads
  bool normalized = false;         // values divided by B_a(0) = (n_a + 1) / 2
  std::vector<DecayRow> rows;
  static constexpr std::array<const char*, 4> columns = {"distance", "t", "h", "w"};
};

// The decay table of a plan over the given distances (CSV-ready: distance,t,h,w). Normalised values divide by
// (n_a + 1) / 2 so each axis starts at 1; an axis without pairs stays 0.
template <class S>
DecayTable decay_table(const FrequencyPlan<S>& plan, const std::vector<std::int64_t>& distances, bool normalized = false) {
  DecayTable table;
  table.allocation = plan.spec.allocation.name();
  table.normalized = normalized;
  const ExactAngles<S> angles(plan);
  std::array<std::vector<int>, 3> pairs;
  for (Axis axis : kAxes) {
    pairs[static_cast<int>(axis)] = axis_pairs(plan, axis);
    table.pairs[static_cast<int>(axis)] = static_cast<int>(pairs[static_cast<int>(axis)].size());
  }
  for (std::int64_t distance : distances) {
    DecayRow row;
    row.distance = distance;
    for (int a = 0; a < 3; ++a) {
      S v = decay_indicator(angles, pairs[a], Coordinate(distance));
      if (normalized && table.pairs[a] > 0) v = v * 2 / S(table.pairs[a] + 1);
      row.value[a] = to_double(v);
    }
    table.rows.push_back(row);
  }
  return table;
}

}  // namespace mmrope
