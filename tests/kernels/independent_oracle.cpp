// The kernel tests' oracle: walks sequences and indices from the case's description, reads elements at the
// offsets its strides define, and judges them with the exact reference (the judge engine).
#include "independent_oracle.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <span>
#include <sstream>
#include <vector>

#include "kernel_case.hpp"
#include "kernels/host/error_bound.hpp"
#include "reference/frequency/frequency_plan.hpp"
#include "reference/judge/judge_engine.hpp"
#include "reference/rounding.hpp"
#include "reference/scalar.hpp"

namespace mmrope::kernels::testing {
namespace {

// One token slot of the launch: sequence b, index s (bshd/sbhd: up to the longest, padding included).
struct Slot {
  int sequence = 0;
  std::int64_t index = 0;
};

std::vector<Slot> slots_of(const KernelCaseData& d) {
  std::vector<Slot> out;
  for (std::size_t b = 0; b < d.expected_positions.size(); ++b)
    for (std::int64_t s = 0; s < static_cast<std::int64_t>(d.expected_positions[b].size()); ++s)
      out.push_back({static_cast<int>(b), s});
  return out;
}

std::int64_t slot_offset(const KernelCaseData& d, const TensorPlacement& t, const Slot& s, int head, int channel) {
  return element_offset(d, t, s.sequence, s.index, head, channel);
}

std::uint32_t bits_at(const std::vector<std::uint8_t>& buffer, std::int64_t offset, DType t) {
  if (t == DType::fp32) {
    std::uint32_t b = 0;
    std::memcpy(&b, buffer.data() + offset * 4, 4);
    return b;
  }
  std::uint16_t h = 0;
  std::memcpy(&h, buffer.data() + offset * 2, 2);
  return h;
}

struct TensorBuffers {
  const TensorPlacement* place = nullptr;
  const std::vector<std::uint8_t>* original = nullptr;  // the inputs before the launch
  const std::vector<std::uint8_t>* output = nullptr;    // where the launch wrote
  TensorRole role = TensorRole::query;
};

OracleTensorVerdict judge_tensor(const KernelCaseData& d, const std::vector<Slot>& slots, const TensorBuffers& tb,
                                 unsigned threads) {
  OracleTensorVerdict v;
  const TensorPlacement& t = *tb.place;
  if (t.heads == 0) return v;
  v.present = true;
  const KernelCase& c = d.c;
  const DType dtype = c.dtype;
  judge::Problem problem;
  problem.spec = c.spec();
  problem.role = tb.role;
  problem.direction = c.direction;
  problem.dtype = dtype;
  problem.row = TensorShape{static_cast<int>(slots.size()), t.heads, c.head_dim};
  std::vector<Position3> positions;
  for (const Slot& s : slots) {
    const auto& p = d.expected_positions[s.sequence][s.index];
    positions.push_back({Coordinate(p[0]), Coordinate(p[1]), Coordinate(p[2])});
  }
  problem.positions = {positions};
  const std::int64_t per_slot = static_cast<std::int64_t>(t.heads) * c.head_dim;
  const auto offset = [&](std::int64_t i) {
    return slot_offset(d, t, slots[i / per_slot], static_cast<int>((i % per_slot) / c.head_dim), static_cast<int>(i % c.head_dim));
  };
  const auto x = [&](std::int64_t first, std::span<double> out) {
    for (std::size_t k = 0; k < out.size(); ++k) out[k] = decode_bits(bits_at(*tb.original, offset(first + static_cast<std::int64_t>(k)), dtype), dtype);
  };
  const auto got = [&](std::int64_t first, std::span<std::uint32_t> out) {
    for (std::size_t k = 0; k < out.size(); ++k) out[k] = bits_at(*tb.output, offset(first + static_cast<std::int64_t>(k)), dtype);
  };
  judge::Options o;
  o.threads = threads;
  o.max_ulp = 0.5;  // the final rounding; anything past it must be inside the element's derived term
  const double attention = d.table.attention_factor;
  o.element_bound = [attention](double inputs, double exact, double ulp) { return element_bound_ulps(inputs, attention, exact, ulp); };
  v.report = judge::check(problem, x, got, o);
  v.beyond_bound = v.report.beyond_element_bound;
  // At a token whose three positions are 0 every angle is 0: the exact output is f x (f the exact attention
  // factor) on the rotary channels and x past them, rounded once. With a short f the kernel's double
  // arithmetic is exact there, so it must give exactly those bits.
  const FrequencyPlan<Mpfr256> plan = make_frequency_plan<Mpfr256>(problem.spec);
  if (!exact_in_double_with_any_float(attention) || Mpfr256(attention) != plan.attention_factor) return v;
  std::vector<double> in(static_cast<std::size_t>(per_slot));
  std::vector<std::uint32_t> out(static_cast<std::size_t>(per_slot));
  for (std::size_t n = 0; n < slots.size(); ++n) {
    const auto& p = d.expected_positions[slots[n].sequence][slots[n].index];
    if (p[0] != 0 || p[1] != 0 || p[2] != 0) continue;
    const auto first = static_cast<std::int64_t>(n) * per_slot;
    x(first, in);
    got(first, out);
    for (std::int64_t i = 0; i < per_slot; ++i) {
      const bool rotary = i % c.head_dim < c.rotary_dim;
      const std::uint32_t want = round_to_bits(rotary ? Mpfr256(plan.attention_factor * in[i]) : Mpfr256(in[i]), dtype);
      // Compared as values: the sign of a zero output is not the reference's to decide (x0 cos - x1 sin gives
      // +0 for x0 = -0, x1 < 0, where the exact value is 0).
      if (decode_bits(out[static_cast<std::size_t>(i)], dtype) != decode_bits(want, dtype)) ++v.exact_arithmetic_misses;
    }
  }
  return v;
}

// Marks every element a view covers, so the rest of the buffer can be checked untouched.
void mark(const KernelCaseData& d, const std::vector<Slot>& slots, const TensorPlacement& t, std::vector<bool>& covered) {
  for (const Slot& s : slots)
    for (int h = 0; h < t.heads; ++h)
      for (int ch = 0; ch < d.c.head_dim; ++ch) covered[static_cast<std::size_t>(slot_offset(d, t, s, h, ch))] = true;
}

// Elements of `now` outside `covered` that differ from `before`.
std::uint64_t changed_outside(const std::vector<std::uint8_t>& before, const std::vector<std::uint8_t>& now,
                              const std::vector<bool>& covered, std::size_t bytes) {
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < covered.size(); ++i)
    if (!covered[i] && std::memcmp(before.data() + i * bytes, now.data() + i * bytes, bytes) != 0) ++n;
  return n;
}

}  // namespace

bool exact_in_double_with_any_float(double a) {
  if (a == 0 || !std::isfinite(a)) return a == 0;
  int e = 0;
  const double m = std::frexp(std::fabs(a), &e);     // m in [0.5, 1)
  const double scaled = std::ldexp(m, 29);           // an integer iff the significand fits 29 bits
  return scaled == std::floor(scaled);
}

OracleVerdict judge_with_oracle(const KernelCaseData& d, unsigned threads) {
  const std::vector<Slot> slots = slots_of(d);
  const std::size_t bytes = d.c.dtype == DType::fp32 ? 4 : 2;
  const bool in_place = d.c.in_place;
  const std::vector<std::uint8_t>& q_out = in_place ? d.q_buffer : d.q_result;
  const std::vector<std::uint8_t>& k_out = d.k_in_q_buffer ? q_out : in_place ? d.k_buffer : d.k_result;
  const std::vector<std::uint8_t>& k_original = d.k_in_q_buffer ? d.q_original : d.k_original;
  OracleVerdict v;
  v.q = judge_tensor(d, slots, {&d.q_place, &d.q_original, &q_out, TensorRole::query}, threads);
  v.k = judge_tensor(d, slots, {&d.k_place, &k_original, &k_out, TensorRole::key}, threads);
  // Outside the views nothing changes: gaps, padding past the views, the fused buffer's v heads. Out of
  // place the output buffers start as a sentinel fill and the inputs must stay as they were.
  const std::vector<std::uint8_t> q_sentinel(d.q_buffer.size(), 0xA5), k_sentinel(d.k_buffer.size(), 0xA5);
  std::vector<bool> q_covered(d.q_buffer.size() / bytes), k_covered(d.k_buffer.size() / bytes);
  mark(d, slots, d.q_place, q_covered);
  mark(d, slots, d.k_place, d.k_in_q_buffer ? q_covered : k_covered);
  v.stray_writes = changed_outside(in_place ? d.q_original : q_sentinel, q_out, q_covered, bytes);
  if (!d.k_in_q_buffer) v.stray_writes += changed_outside(in_place ? d.k_original : k_sentinel, k_out, k_covered, bytes);
  if (!in_place) v.inputs_changed = (d.q_buffer != d.q_original) + (d.k_buffer != d.k_original);
  return v;
}

double OracleVerdict::max_ulp() const {
  return std::max(q.present ? q.report.max_ulp : 0.0, k.present ? k.report.max_ulp : 0.0);
}

std::string OracleVerdict::describe() const {
  std::ostringstream out;
  if (stray_writes) out << stray_writes << " elements outside q and k changed\n";
  if (inputs_changed) out << "an out-of-place launch changed its inputs\n";
  for (const auto& [name, t] : {std::pair{"q", &q}, std::pair{"k", &k}}) {
    if (!t->present) continue;
    out << name << ": max " << t->report.max_ulp << " ulp over " << t->report.elements << " elements, " << t->report.over_bound
        << " over 0.5 ulp, " << t->beyond_bound << " beyond 0.5 ulp + their derived term, " << t->exact_arithmetic_misses
        << " not the exact rounding where the arithmetic is exact"
        << (t->report.all_zero_output ? ", ALL-ZERO OUTPUT" : "") << "\n";
    for (const ElementError& e : t->report.worst)
      if (e.ulp > 0.5)
        out << "  token " << e.token << " head " << e.head << " channel " << e.channel << ": got " << e.got << ", exact "
            << e.exact << " (" << e.ulp << " ulp)\n";
  }
  return out.str();
}

}  // namespace mmrope::kernels::testing
