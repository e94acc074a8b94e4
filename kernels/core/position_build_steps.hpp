// The position builder's steps in Thrust: scans over the runs, a segmented scan for the cursors, one pass per token.
// Included by the host twin (Thrust's CPP system) and the CUDA builder (its CUDA system); nothing else.
#pragma once

#include <thrust/execution_policy.h>
#include <thrust/for_each.h>
#include <thrust/functional.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/iterator/discard_iterator.h>
#include <thrust/iterator/transform_iterator.h>
#include <thrust/reduce.h>
#include <thrust/scan.h>

#include <cstdint>

#include "position_plan.hpp"
#include "position_segment.hpp"

namespace mmrope::kernels::position_steps {

namespace thr = THRUST_NS_QUALIFIER;

struct TokensOf {
  MMROPE_HOST_DEVICE std::int64_t operator()(const PositionSegment& s) const { return s.tokens; }
};
struct AdvanceOf {
  MMROPE_HOST_DEVICE std::int64_t operator()(const PositionSegment& s) const { return s.advance; }
};
struct SequenceOf {
  MMROPE_HOST_DEVICE std::int32_t operator()(const PositionSegment& s) const { return s.sequence; }
};

// How far run i reaches: its cursor plus the larger of its advance and its next_floor. The largest over a row
// is the row's next position (advances are >= 0, so the last run's cursor + advance is the row's final cursor).
struct ReachOf {
  const PositionSegment* segments;
  const std::int64_t* cursors;
  MMROPE_HOST_DEVICE std::int64_t operator()(std::int64_t i) const {
    const PositionSegment& s = segments[i];
    return cursors[i] + (s.advance > s.next_floor ? s.advance : s.next_floor);
  }
};

struct DeltaOf {
  const std::int64_t* next_position;
  const std::int64_t* divisor;
  std::int64_t cursor_den;
  std::int64_t* rope_delta;
  MMROPE_HOST_DEVICE void operator()(std::int64_t b) const { rope_delta[b] = next_position[b] - divisor[b] * cursor_den; }
};

struct WriteToken {
  const PositionSegment* segments;
  const std::int64_t* first_token;
  const std::int64_t* cursors;
  std::int64_t segment_count;
  std::int64_t tokens;
  PositionOutputs out;
  MMROPE_HOST_DEVICE void operator()(std::int64_t n) const {
    const std::int64_t i = segment_of_token(first_token, segment_count, n);
    const PlannedPosition p = position_in_segment(segments[i], cursors[i], n - first_token[i]);
    out.positions[n] = p.t;
    out.positions[tokens + n] = p.h;
    out.positions[2 * tokens + n] = p.w;
    out.den[n] = p.den;
    out.kind[n] = static_cast<std::uint8_t>(p.kind);
  }
};

// The builder's scratch, in the system's memory: per run its first token and cursor, per row a key.
struct BuildScratch {
  std::int64_t* first_token = nullptr;  // [runs]
  std::int64_t* cursors = nullptr;      // [runs]
  std::int32_t* row_keys = nullptr;     // [rows]
};

// Runs the builder on the system of `policy`. segments and delta_divisor are the plan's, in that system's memory,
// and so are scratch and out (the caller owns the memory: the steps allocate nothing).
template <class Policy>
void build(const Policy& policy, const PositionSegment* segments, std::int64_t segment_count, const std::int64_t* delta_divisor,
           std::int64_t rows, std::int64_t padded_length, std::int64_t cursor_den, const BuildScratch& scratch,
           const PositionOutputs& out) {
  const std::int64_t tokens = rows * padded_length;
  const auto keys = thr::make_transform_iterator(segments, SequenceOf{});
  thr::exclusive_scan(policy, thr::make_transform_iterator(segments, TokensOf{}),
                      thr::make_transform_iterator(segments + segment_count, TokensOf{}), scratch.first_token, std::int64_t{0});
  // Each row's walk: a cursor starts at 0 and every run moves it by its advance.
  thr::exclusive_scan_by_key(policy, keys, keys + segment_count, thr::make_transform_iterator(segments, AdvanceOf{}),
                             scratch.cursors, std::int64_t{0});
  const std::int64_t* cursor_ptr = scratch.cursors;
  const auto reach = thr::make_transform_iterator(thr::counting_iterator<std::int64_t>(0), ReachOf{segments, cursor_ptr});
  thr::reduce_by_key(policy, keys, keys + segment_count, reach, scratch.row_keys, out.next_position,
                     thr::equal_to<std::int32_t>(), thr::maximum<std::int64_t>());
  thr::for_each_n(policy, thr::counting_iterator<std::int64_t>(0), rows,
                  DeltaOf{out.next_position, delta_divisor, cursor_den, out.rope_delta});
  thr::for_each_n(policy, thr::counting_iterator<std::int64_t>(0), tokens,
                  WriteToken{segments, scratch.first_token, cursor_ptr, segment_count, tokens, out});
}

}  // namespace mmrope::kernels::position_steps
