// Builds the kernels' frequency table from a RotarySpec (MPFR for the exact turn frequencies).
#include "kernels/host/kernel_frequency_table.hpp"

#include <mpfr.h>

#include "reference/angles.hpp"
#include "reference/frequency/frequency_plan.hpp"
#include "reference/scalar.hpp"

namespace mmrope::kernels {
namespace {

// x rounded to nearest at `bits` significant bits, as a double (exact: bits <= 53).
double round_to_significant_bits(const Mpfr256& x, int bits) {
  mpfr_t r;
  mpfr_init2(r, bits);
  mpfr_set(r, x.backend().data(), MPFR_RNDN);
  const double d = mpfr_get_d(r, MPFR_RNDN);
  mpfr_clear(r);
  return d;
}

// 21 bits for high and middle: position (< 2^32, 32 bits) times 21 bits fits double's 53 exactly.
constexpr int kExactProductBits = 21;

TurnFrequency split(const Mpfr256& f) {
  TurnFrequency t;
  t.high = round_to_significant_bits(f, kExactProductBits);
  const Mpfr256 rest = f - Mpfr256(t.high);
  t.middle = round_to_significant_bits(rest, kExactProductBits);
  t.low = round_to_significant_bits(Mpfr256(rest - Mpfr256(t.middle)), 53);
  return t;
}

}  // namespace

RotaryFrequencyArgs KernelFrequencyTable::args() const {
  RotaryFrequencyArgs a;
  a.turn_frequencies = turn_frequencies.data();
  a.axis_of = axis_of.data();
  a.per_kv_head = per_kv_head;
  a.kv_heads = kv_heads;
  a.query_heads = query_heads;
  a.attention_factor = attention_factor;
  return a;
}

TurnFrequency split_turn_frequency_text(const char* decimal) { return split(Mpfr256(decimal)); }

KernelFrequencyTable kernel_frequency_table(const RotarySpec& spec) {
  const FrequencyPlan<Mpfr256> plan = make_frequency_plan<Mpfr256>(spec);
  KernelFrequencyTable t;
  const ExactAngles<Mpfr256> angles(plan);  // the kernels' phase is position x turns, split in three doubles
  for (int j = 0; j < angles.pairs(); ++j) t.turn_frequencies.push_back(split(angles.turns_per_position(j)));
  t.attention_factor = to_double(plan.attention_factor);
  const Allocation& a = spec.allocation;
  auto code = [](PairAxis axis) { return static_cast<std::int8_t>(axis ? static_cast<int>(*axis) : -1); };
  t.per_kv_head = a.per_head();
  if (a.per_head()) {
    t.query_heads = a.heads().query;
    t.kv_heads = a.heads().kv;
    for (int k = 0; k < a.heads().kv; ++k) t.axis_of.push_back(code(a.key_axis(k, 0)));
  } else {
    for (int j = 0; j < a.pairs(); ++j) t.axis_of.push_back(code(a.key_axis(0, j)));
  }
  t.head_dim = spec.head_dim;
  t.rotary_dim = spec.rotary_dim;
  t.pairing = spec.pairing;
  return t;
}

}  // namespace mmrope::kernels
