// One run of tokens of a position plan, and the closed form that places each of its tokens from the run's cursor.
#pragma once

#include <cstdint>

#include "host_device.hpp"

namespace mmrope::kernels {

// How a run places its tokens. S is the sequence's cursor (the next free 1-D position) where the run starts;
// token k of the run is (tt, hh, ww) in raster order over a t x h x w grid (LLM tokens, after merging).
enum class SegmentRule : std::uint8_t {
  pad,           // every axis pad_value (padding is outside the walk: it neither reads nor moves the cursor)
  text,          // token k at p = S + k: (p, p, p), or (p, 0, 0) with text_spatial_zero
  diagonal_run,  // vanilla, v2pe: S + first + k * step on every axis
  offset_grid,   // the MRoPE family: (S + toff(tt), S + hh, S + ww)
  reset_grid,    // spatial-reset, il-rope: (S + toff(tt), hh, ww)
  centred_grid,  // videorope, hope: t = S + toff(tt), h = t + hh - centre_h, w = t + ww - centre_w
  tie_grid,      // rope-tie: (L + s i, L + s i, L + u j), i = hh + 1, j = ww + 1, L = S - 1
  framed_grid,   // qwen3-vl video: t frames of [frame_prefix text, a 1 x h x w offset_grid, frame_suffix text]
};

// The temporal offset toff(tt) of a grid, over the run's denominator:
//   linear:              tt * t_num                                  (a rational stride, already over den)
//   floor_ratio:         floor(tt * t_num / t_den) * den             (mrope-absolute-time, exact and int-truncated)
//   float_index_first:   trunc(fl32(fl32(tt * seconds) * tps)) * den (transformers 4.49)
//   float_seconds_first: trunc(fl32(tt * fl32(tps * seconds))) * den (transformers 5.18+)
enum class TemporalRule : std::uint8_t { linear, floor_ratio, float_index_first, float_seconds_first };

// The reference's TokenKind, in its order.
enum class PlanTokenKind : std::uint8_t { text = 0, image = 1, video = 2, pad = 3 };

// Every value is an integer numerator: cursor values over the plan's cursor_den, token positions over den
// (= cursor_den * scale). The plan (kernels/host/position_plan.hpp) has checked that nothing below can overflow.
struct PositionSegment {
  std::int64_t tokens = 0;
  std::int64_t t = 1, h = 1, w = 1;  // the grid in LLM tokens (text and pad runs: 1 x 1 x tokens)
  std::int64_t den = 1;
  std::int64_t scale = 1;                 // den / cursor_den
  std::int64_t first = 0, step = 0;       // diagonal_run
  std::int64_t t_num = 0, t_den = 1;      // linear, floor_ratio
  float seconds = 0, tokens_per_second = 0;  // float rules: the float32 values the released code multiplies
  std::int64_t centre_h = 0, centre_w = 0;  // centred_grid
  std::int64_t s = 0, u = 0;                // tie_grid
  std::int64_t frame_prefix = 0, frame_suffix = 0, frame_advance = 0;  // framed_grid (frame_advance over cursor_den)
  std::int64_t pad_value = 0;
  std::int64_t advance = 0;    // how far the run moves the cursor (>= 0)
  std::int64_t next_floor = 0;  // the least next position the run demands, relative to S (MRoPE spatial-extent)
  std::int32_t sequence = 0;
  SegmentRule rule = SegmentRule::text;
  PlanTokenKind kind = PlanTokenKind::text;
  TemporalRule temporal = TemporalRule::linear;
  bool text_spatial_zero = false;
};

// A token's exact (t, h, w) = (t, h, w) / den, and its kind.
struct PlannedPosition {
  std::int64_t t = 0, h = 0, w = 0, den = 1;
  PlanTokenKind kind = PlanTokenKind::text;
};

// One IEEE float32 product, rounded to nearest even: on the GPU without FMA contraction, on the host as the core
// is compiled (-ffp-contract=off, SSE arithmetic).
MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE float float_product(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fmul_rn(a, b);
#else
  return a * b;
#endif
}

// toff(tt) over den.
MMROPE_HOST_DEVICE inline std::int64_t temporal_offset(const PositionSegment& s, std::int64_t tt) {
  switch (s.temporal) {
    case TemporalRule::linear: return tt * s.t_num;
    case TemporalRule::floor_ratio: return (tt * s.t_num / s.t_den) * s.den;  // both non-negative: / floors
    case TemporalRule::float_index_first:
      return static_cast<std::int64_t>(float_product(float_product(static_cast<float>(tt), s.seconds), s.tokens_per_second)) * s.den;
    case TemporalRule::float_seconds_first:
      return static_cast<std::int64_t>(float_product(static_cast<float>(tt), float_product(s.tokens_per_second, s.seconds))) * s.den;
  }
  return 0;
}

// Token k of run s, whose cursor is cursor (over cursor_den).
MMROPE_HOST_DEVICE inline PlannedPosition position_in_segment(const PositionSegment& s, std::int64_t cursor, std::int64_t k) {
  PlannedPosition out;
  out.den = s.den;
  out.kind = s.kind;
  const std::int64_t start = cursor * s.scale;  // S over den
  auto diagonal = [&](std::int64_t p) {
    out.t = out.h = out.w = p;
    return out;
  };
  const std::int64_t plane = s.h * s.w;
  const std::int64_t tt = k / plane, hh = (k % plane) / s.w, ww = k % s.w;
  switch (s.rule) {
    case SegmentRule::pad: return diagonal(s.pad_value * s.den);
    case SegmentRule::text: {
      diagonal(start + k * s.den);
      if (s.text_spatial_zero) out.h = out.w = 0;
      return out;
    }
    case SegmentRule::diagonal_run: return diagonal(start + s.first + k * s.step);
    case SegmentRule::offset_grid:
      out.t = start + temporal_offset(s, tt);
      out.h = start + hh * s.den;
      out.w = start + ww * s.den;
      return out;
    case SegmentRule::reset_grid:
      out.t = start + temporal_offset(s, tt);
      out.h = hh * s.den;
      out.w = ww * s.den;
      return out;
    case SegmentRule::centred_grid:
      out.t = start + temporal_offset(s, tt);
      out.h = out.t + hh * s.den - s.centre_h;
      out.w = out.t + ww * s.den - s.centre_w;
      return out;
    case SegmentRule::tie_grid: {
      const std::int64_t last = start - s.den;
      out.t = out.h = last + s.s * (hh + 1);
      out.w = last + s.u * (ww + 1);
      return out;
    }
    case SegmentRule::framed_grid: {
      const std::int64_t period = s.frame_prefix + plane + s.frame_suffix;
      const std::int64_t frame = k / period, r = k % period;
      const std::int64_t frame_start = start + frame * s.frame_advance * s.scale;
      if (r < s.frame_prefix) {
        out.kind = PlanTokenKind::text;
        return diagonal(frame_start + r * s.den);
      }
      const std::int64_t visual_start = frame_start + s.frame_prefix * s.den;
      if (r < s.frame_prefix + plane) {
        const std::int64_t q = r - s.frame_prefix;
        out.t = visual_start;
        out.h = visual_start + (q / s.w) * s.den;
        out.w = visual_start + (q % s.w) * s.den;
        return out;
      }
      out.kind = PlanTokenKind::text;  // the frame's suffix text continues from the frame's max + 1
      const std::int64_t after = visual_start + (s.h > s.w ? s.h : s.w) * s.den;
      return diagonal(after + (r - s.frame_prefix - plane) * s.den);
    }
  }
  return out;
}

// The run holding token n: the last run whose first token is <= n (first_token ascending, first_token[0] = 0).
MMROPE_HOST_DEVICE inline std::int64_t segment_of_token(const std::int64_t* first_token, std::int64_t segments, std::int64_t n) {
  std::int64_t lo = 0, hi = segments;  // invariant: first_token[lo] <= n, and n < first_token[hi] where hi < segments
  while (hi - lo > 1) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    if (first_token[mid] <= n) lo = mid;
    else hi = mid;
  }
  return lo;
}

}  // namespace mmrope::kernels
