// The position plan: each layout segment becomes one run with closed-form parameters, checked exactly (BigInt).
#include "kernels/host/position_plan_builder.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "reference/designs/mrope_absolute_time.hpp"

namespace mmrope::kernels {
namespace {

// A numerator or cursor past int64: caught where the segment is known, to name it.
struct NumeratorOverflow {};

std::int64_t narrow(const BigInt& v) {
  if (bmp::abs(v) > int64_max_big()) throw NumeratorOverflow{};
  return static_cast<std::int64_t>(v);
}

// q * den as an int64 numerator (den is a multiple of q's denominator).
std::int64_t over(const Rational& q, const BigInt& den) {
  const Rational v = q * Rational(den);
  return narrow(bmp::numerator(v));
}

BigInt lcm_of(const BigInt& a, const BigInt& b) { return a / bmp::gcd(a, b) * b; }

Rational max3(const Rational& a, const Rational& b, const Rational& c) { return std::max(a, std::max(b, c)); }

enum class Family { vanilla, v2pe, mrope, qwen3, spatial_reset, il_rope, centred, rope_tie };

// What the plan reads of a design: its family and the parameters its closed forms take.
struct DesignReading {
  Family family = Family::vanilla;
  Rational stride = 1;            // mrope, spatial-reset, il-rope, videorope: the temporal stride
  bool spatial_extent = false;    // mrope: next_rule=spatial-extent
  bool absolute_time = false;     // mrope-absolute-time
  std::string time_rule;          // mrope-absolute-time
  Rational tokens_per_second, default_seconds;
  std::int64_t step_log2 = 0;     // v2pe
  bool paper_rule = false;        // videorope, hope
  std::vector<Rational> scales;   // hope (videorope: {stride})
  bool text_zero = false;         // il-rope text_spatial=zero
  bool compact = false;           // rope-tie
  std::int64_t prefix = 0, suffix = 0;  // qwen3-vl
};

DesignReading read_design(const PositionDesign& design) {
  const std::string name(design.name());
  const Params& p = design.params();
  DesignReading r;
  if (name == "vanilla") {
    r.family = Family::vanilla;
  } else if (name == "v2pe") {
    r.family = Family::v2pe;
    r.step_log2 = p.integer("visual_step_log2");
  } else if (name == "mrope" || name == "mrope-absolute-time") {
    r.family = Family::mrope;
    r.spatial_extent = p.text_or("next_rule", "max-plus-one") == "spatial-extent";
    r.stride = *parse_rational(p.text_or("temporal_stride", "1"));
    if (name == "mrope-absolute-time") {
      r.absolute_time = true;
      r.time_rule = p.choice("time_rule");
      r.tokens_per_second = p.rational("tokens_per_second");
      r.default_seconds = p.rational("seconds_per_grid");
    }
  } else if (name == "qwen3-vl") {
    r.family = Family::qwen3;
    r.prefix = p.integer("frame_prefix_tokens");
    r.suffix = p.integer("frame_suffix_tokens");
  } else if (name == "spatial-reset") {
    r.family = Family::spatial_reset;
    r.stride = p.rational("temporal_stride");
  } else if (name == "il-rope" || name == "omni-rope") {
    r.family = Family::il_rope;
    r.stride = p.rational("temporal_stride");
    r.text_zero = p.choice("text_spatial") == "zero";
  } else if (name == "videorope" || name == "hope") {
    r.family = Family::centred;
    r.paper_rule = p.choice("rule") == "paper";
    r.scales = name == "hope" ? p.rational_list("temporal_scales") : std::vector<Rational>{p.rational("temporal_stride")};
  } else if (name == "rope-tie") {
    r.family = Family::rope_tie;
    r.compact = p.choice("spacing") == "compact";
  } else if (name == "circlerope") {
    throw Error("circlerope places image tokens on a circle: its positions are irrational (cosines and sines), and "
                "the kernel position builder builds exact rationals only; use --engine reference");
  } else {
    throw Error("the kernel position builder does not know the design '" + name + "'; use --engine reference");
  }
  return r;
}

// The denominator every cursor of the batch is a numerator over: the lcm of the design's cursor steps' denominators.
BigInt cursor_denominator(const DesignReading& r) {
  switch (r.family) {
    case Family::mrope:
    case Family::spatial_reset:
    case Family::il_rope: return bmp::denominator(r.stride);
    case Family::centred: {
      BigInt d = 1;
      for (const Rational& s : r.scales) d = lcm_of(d, bmp::denominator(s));
      return d;
    }
    default: return 1;
  }
}

class Planner {
 public:
  Planner(const PositionDesign& design, PositionPlan& plan)
      : design_(design), reading_(read_design(design)), cd_(cursor_denominator(reading_)), plan_(plan) {
    try {
      plan_.cursor_den = narrow(cd_);
    } catch (const NumeratorOverflow&) {
      throw Error(std::string(design.name()) + ": the temporal strides' common denominator passes int64");
    }
  }

  // Appends row b's runs (its layout; padding is added by the caller) and returns the row's real token count;
  // next_position gets the row's next position (the largest reach of its runs, as the builders compute it).
  std::int64_t plan_sequence(std::int32_t b, const Sequence& seq, Rational& next_position) {
    Rational cursor = 0;
    next_position = 0;
    std::int64_t block = 0, real = 0;
    for (std::size_t i = 0; i < seq.segments.size(); ++i) {
      const Segment& s = seq.segments[i];
      PositionSegment run;
      Rational next;
      try {
        if (const auto* text = std::get_if<TextRun>(&s)) {
          next = text_run(cursor, text->length, run);
        } else {
          const TokenKind kind = std::holds_alternative<Image>(s) ? TokenKind::image : TokenKind::video;
          next = visual_run(cursor, i, s, block++, kind, visual_tokens(i, s, design_.merge_size()), run);
        }
        run.advance = over(next - cursor, cd_);
        narrow(bmp::numerator(next * Rational(cd_)));
      } catch (const NumeratorOverflow&) {
        throw Error(segment_label(i, s) + ": under " + std::string(design_.name()) +
                    " the kernel position builder's numerators (over denominator " + std::to_string(run.den) +
                    ") would pass int64; --engine reference computes these positions exactly");
      }
      run.sequence = b;
      next_position = std::max(next_position, cursor + Rational(BigInt(std::max(run.advance, run.next_floor)), cd_));
      real += run.tokens;
      plan_.segments.push_back(run);
      cursor = next;
    }
    return real;
  }

 private:
  // Checks that S + extent, over den, fits int64: every intermediate of position_in_segment is at most that.
  static void check_reach(const Rational& cursor, const Rational& extent, const BigInt& den) {
    over(bmp::abs(cursor) + extent, den);
  }

  void set_den(PositionSegment& run, const BigInt& den) const {
    run.den = narrow(den);
    run.scale = narrow(den / cd_);
  }

  Rational text_run(const Rational& cursor, std::int64_t n, PositionSegment& run) const {
    run.rule = SegmentRule::text;
    run.kind = PlanTokenKind::text;
    run.text_spatial_zero = reading_.text_zero;
    run.tokens = n;
    run.w = n;
    set_den(run, cd_);
    check_reach(cursor, Rational(n), cd_);
    return cursor + n;
  }

  // The temporal offset toff(T - 1) in positions, with the run's temporal rule set; the largest toff (toff is
  // non-decreasing in tt for every rule: floors and float32 roundings are monotone, the factors non-negative).
  Rational temporal_rule(const Segment& s, TokenKind kind, const VisualTokens& g, const Rational& stride,
                         const BigInt& den, PositionSegment& run) const {
    const std::int64_t last = g.t - 1;
    if (!reading_.absolute_time || kind == TokenKind::image) {  // images: the processor's second_per_grid_t = 0
      const Rational step = reading_.absolute_time ? Rational(0) : stride;
      run.temporal = TemporalRule::linear;
      run.t_num = over(step, den);
      return step * last;
    }
    Rational seconds = std::get<Video>(s).seconds_per_grid.value_or(reading_.default_seconds);
    const std::string& rule = reading_.time_rule;
    if (rule == "float32-index-first" || rule == "float32-seconds-first") {
      run.temporal = rule == "float32-index-first" ? TemporalRule::float_index_first : TemporalRule::float_seconds_first;
      run.seconds = MropeAbsoluteTimeDesign::nearest_float(seconds);
      run.tokens_per_second = MropeAbsoluteTimeDesign::nearest_float(reading_.tokens_per_second);
      const float top = run.temporal == TemporalRule::float_index_first
                            ? float_product(float_product(static_cast<float>(last), run.seconds), run.tokens_per_second)
                            : float_product(static_cast<float>(last), float_product(run.tokens_per_second, run.seconds));
      if (!std::isfinite(top) || top >= 0x1p62f) throw Error("mrope-absolute-time: float32 time offset overflows");
      return Rational(static_cast<std::int64_t>(top));
    }
    if (rule == "int-truncated") seconds = Rational(floor_of(seconds));
    const Rational ratio = seconds * reading_.tokens_per_second;
    run.temporal = TemporalRule::floor_ratio;
    run.t_num = narrow(bmp::numerator(ratio));
    run.t_den = narrow(bmp::denominator(ratio));
    narrow(BigInt(last) * bmp::numerator(ratio));  // tt * t_num in temporal_offset
    return Rational(floor_of(ratio * last));
  }

  Rational visual_run(const Rational& cursor, std::size_t index, const Segment& s, std::int64_t block, TokenKind kind,
                      const VisualTokens& g, PositionSegment& run) const {
    run.kind = static_cast<PlanTokenKind>(kind);
    run.t = g.t;
    run.h = g.h;
    run.w = g.w;
    run.tokens = g.count();
    const Rational hw_max(std::max(g.h, g.w));
    switch (reading_.family) {
      case Family::vanilla: {
        run.rule = SegmentRule::diagonal_run;
        set_den(run, cd_);
        run.first = 0;
        run.step = over(Rational(1), cd_);
        check_reach(cursor, Rational(run.tokens), cd_);
        return cursor + run.tokens;
      }
      case Family::v2pe: {  // last = S - 1; token k (from 0) at last + (k + 1) 2^-K; next = ceil(last + N 2^-K) + 1
        run.rule = SegmentRule::diagonal_run;
        const BigInt den = BigInt(1) << static_cast<unsigned>(reading_.step_log2);
        set_den(run, den);
        run.step = 1;
        run.first = narrow(1 - den);
        check_reach(cursor, Rational(1) + Rational(run.tokens, den), den);
        const Rational last = cursor - 1;
        return Rational(ceil_of(last + Rational(run.tokens, den))) + 1;
      }
      case Family::mrope:
      case Family::qwen3: {
        if (reading_.family == Family::qwen3 && kind == TokenKind::video) {
          run.rule = SegmentRule::framed_grid;
          set_den(run, cd_);
          run.frame_prefix = reading_.prefix;
          run.frame_suffix = reading_.suffix;
          run.frame_advance = reading_.prefix + std::max(g.h, g.w) + reading_.suffix;
          run.tokens = g.t * (reading_.prefix + reading_.suffix + g.h * g.w);
          const Rational advance = Rational(g.t) * run.frame_advance;
          check_reach(cursor, advance + Rational(g.h + g.w), cd_);
          return cursor + advance;
        }
        run.rule = SegmentRule::offset_grid;
        set_den(run, cd_);
        const Rational top = max3(temporal_rule(s, kind, g, reading_.stride, cd_, run), Rational(g.h - 1), Rational(g.w - 1));
        check_reach(cursor, top, cd_);
        if (!reading_.spatial_extent) return cursor + top + 1;
        run.next_floor = over(top + 1, cd_);
        return cursor + hw_max;
      }
      case Family::spatial_reset:
      case Family::il_rope: {
        run.rule = SegmentRule::reset_grid;
        set_den(run, cd_);
        const Rational toff = temporal_rule(s, kind, g, reading_.stride, cd_, run);
        check_reach(cursor, toff + hw_max, cd_);
        if (reading_.family == Family::spatial_reset) return cursor + std::max(toff, hw_max - 1) + 1;
        return cursor + max3(toff + 1, Rational(g.h), Rational(g.w));
      }
      case Family::centred: {
        const std::vector<Rational>& scales = reading_.scales;
        if (scales.size() > 1 && block >= static_cast<std::int64_t>(scales.size()))
          throw Error(segment_label(index, s) + ": hope has " + std::to_string(scales.size()) +
                      " temporal_scales but this is visual block " + std::to_string(block + 1));
        const Rational delta = scales.size() == 1 ? scales[0] : scales[static_cast<std::size_t>(block)];
        run.rule = SegmentRule::centred_grid;
        const Rational centre_h = reading_.paper_rule ? Rational(g.h, 2) : Rational((g.h - 1) / 2);
        const Rational centre_w = reading_.paper_rule ? Rational(g.w, 2) : Rational((g.w - 1) / 2);
        const BigInt den = lcm_of(cd_, lcm_of(bmp::denominator(centre_h), bmp::denominator(centre_w)));
        set_den(run, den);
        const Rational toff = temporal_rule(s, kind, g, delta, den, run);
        run.centre_h = over(centre_h, den);
        run.centre_w = over(centre_w, den);
        check_reach(cursor, toff + hw_max + std::max(centre_h, centre_w), den);
        if (reading_.paper_rule) return cursor + delta * g.t;
        return cursor + toff + 1;
      }
      case Family::rope_tie: {
        if (kind == TokenKind::video || g.t != 1)
          throw Error(segment_label(index, s) +
                      ": rope-tie defines positions for single images only (Su's post has no temporal axis)");
        const Rational row = reading_.compact ? Rational(g.w * g.h + 1, g.h + 1) : Rational(g.w + 1);
        const Rational column = reading_.compact ? Rational(g.w * g.h + 1, g.w + 1) : Rational(g.h + 1);
        run.rule = SegmentRule::tie_grid;
        const BigInt den = lcm_of(cd_, lcm_of(bmp::denominator(row), bmp::denominator(column)));
        set_den(run, den);
        run.s = over(row, den);
        run.u = over(column, den);
        check_reach(cursor, 1 + row * (g.h + 1) + column * (g.w + 1), den);
        return cursor - 1 + row * (g.h + 1);
      }
    }
    return cursor;
  }

  const PositionDesign& design_;
  DesignReading reading_;
  BigInt cd_;
  PositionPlan& plan_;
};

PositionSegment pad_run(std::int32_t b, std::int64_t tokens, std::int64_t value) {
  PositionSegment run;
  run.rule = SegmentRule::pad;
  run.kind = PlanTokenKind::pad;
  run.tokens = tokens;
  run.w = tokens;
  run.pad_value = value;
  run.sequence = b;
  return run;
}

}  // namespace

PositionPlan make_position_plan(const PositionDesign& design, const std::vector<Sequence>& sequences, PaddingSide side,
                                PaddingConvention convention, std::optional<std::int64_t> pad_to) {
  PositionPlan plan;
  plan.padded_length = padded_batch_length(design, sequences, pad_to);
  plan.rows = static_cast<std::int64_t>(sequences.size());
  Planner planner(design, plan);
  const std::int64_t pad_value = convention == PaddingConvention::transformers4 ? 1 : 0;
  for (std::size_t b = 0; b < sequences.size(); ++b) {
    const auto row = static_cast<std::int32_t>(b);
    try {
      const std::size_t left_pad_at = plan.segments.size();
      Rational next;
      const std::int64_t real = planner.plan_sequence(row, sequences[b], next);
      const std::int64_t pads = plan.padded_length - real;
      if (pads > 0) {
        const PositionSegment pad = pad_run(row, pads, pad_value);
        if (side == PaddingSide::left)
          plan.segments.insert(plan.segments.begin() + static_cast<std::ptrdiff_t>(left_pad_at), pad);
        else
          plan.segments.push_back(pad);
      }
      const std::int64_t divisor = convention == PaddingConvention::transformers4 ? plan.padded_length : real;
      if (bmp::abs(bmp::numerator((next - divisor) * plan.cursor_den)) > int64_max_big())
        throw Error("the rope delta's numerator over " + std::to_string(plan.cursor_den) + " would pass int64");
      plan.delta_divisor.push_back(divisor);
    } catch (const Error& e) {
      throw Error("sequence " + std::to_string(b + 1) + ": " + e.what());
    }
  }
  return plan;
}

}  // namespace mmrope::kernels
