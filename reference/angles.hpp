// The angle stage: exact cos and sin of (axis position, pair) for a frequency plan, attention factor included;
// Rotation, the judge, the score, the decay indicator and the kernels' frequency table all take their phases from it.
#pragma once

#include <cstdint>
#include <map>
#include <type_traits>
#include <vector>

#include "frequency/frequency_plan.hpp"
#include "scalar.hpp"
#include "vocabulary.hpp"

namespace mmrope {

// cos and sin of an angle, both correctly rounded in S: the one evaluator of the angle stage. MPFR computes the
// pair in one call (mpfr_sin_cos). The emulations call it on their conventions' own rounded phases (an fp32
// product, a tf32 one), which by design are not the exact angle of (position, pair).
template <class S>
CosSin<S> cos_sin_of_angle(const S& angle) {
  CosSin<S> r;
  if constexpr (std::is_same_v<S, Mpfr256>) {
    mpfr_sin_cos(r.sin.backend().data(), r.cos.backend().data(), angle.backend().data(), MPFR_RNDN);
  } else {
    using std::cos;
    using std::sin;
    r.cos = cos(angle);
    r.sin = sin(angle);
  }
  return r;
}

// Integer positions p = q K + r use e^{i p theta} = e^{i q K theta} e^{i r theta}: K + (distinct q) direct
// sin/cos per pair instead of one per position. Both factors are correctly rounded and the complex product
// adds two roundings: |error| <= 4 * 2^-(digits) instead of 2^-(digits) -- still ~2^-330 for Mpfr256,
// far below any dtype. The decomposition depends only on (p, pair), so equal inputs give equal outputs.
inline constexpr std::int64_t kAngleBlock = 256;

// Splits an integer position into (q K, r) with 0 <= r < K (floor division).
inline std::pair<std::int64_t, std::int64_t> split_position(std::int64_t p) {
  std::int64_t q = p / kAngleBlock, r = p % kAngleBlock;
  if (r < 0) {
    r += kAngleBlock;
    q -= 1;
  }
  return {q * kAngleBlock, r};
}

// Exact cos/sin per (coordinate, pair). Not thread-safe: it caches the direct factors; give each thread its own.
template <class S>
class ExactAngles {
 public:
  // Keeps its own copy of the spectrum, so it stays valid however the plan it came from moves.
  explicit ExactAngles(const FrequencyPlan<S>& plan)
      : inverse_frequencies_(plan.inverse_frequencies),
        attention_factor_(plan.attention_factor),
        direct_(plan.inverse_frequencies.size()) {
    none_.cos = plan.attention_factor;  // a pair that does not rotate: zero angle, scaled like the others (HF)
    none_.sin = 0;
  }

  const S& attention_factor() const { return attention_factor_; }
  // What a pair with no axis uses: cos = attention factor, sin = 0.
  const CosSin<S>& none() const { return none_; }

  // cos/sin of c * theta_pair, times the attention factor.
  CosSin<S> at(const Coordinate& c, int pair) const {
    CosSin<S> r = unscaled(c, pair);
    if (attention_factor_ != 1) {
      r.cos *= attention_factor_;
      r.sin *= attention_factor_;
    }
    return r;
  }

  // cos/sin of c * theta_pair, unscaled: integer positions composed from cached factors (positions that recur,
  // as a tensor's do), others evaluated once.
  CosSin<S> unscaled(const Coordinate& c, int pair) const {
    if (c.is_integer_value() && c.fits_int64()) {
      const auto [big_part, r] = split_position(c.to_int64());
      const CosSin<S>& small = direct(pair, r);
      if (big_part == 0) return small;
      const CosSin<S>& big = direct(pair, big_part);
      return {big.cos * small.cos - big.sin * small.sin, big.sin * small.cos + big.cos * small.sin};
    }
    return uncached(c, pair);
  }

  // cos/sin of c * theta_pair, unscaled, in one correctly rounded evaluation of the rounded phase; no cache, so
  // safe from any thread and bounded in memory over sweeps of distinct values (score and decay use it).
  CosSin<S> uncached(const Coordinate& c, int pair) const {
    return cos_sin_of_angle(S(to_scalar<S>(c) * inverse_frequencies_[pair]));
  }

  // theta_pair / (2 pi): turns per unit position, the form the kernels' phase takes (rounded once in S).
  S turns_per_position(int pair) const { return inverse_frequencies_[pair] / (2 * pi_of<S>()); }

  int pairs() const { return static_cast<int>(inverse_frequencies_.size()); }

  // cos/sin of k * theta_pair for an integer k, unscaled and correctly rounded (the composition's factors).
  const CosSin<S>& direct(int pair, std::int64_t multiple_of_pair_frequency) const {
    auto& cache = direct_[pair];
    auto it = cache.find(multiple_of_pair_frequency);
    if (it != cache.end()) return it->second;
    return cache
        .emplace(multiple_of_pair_frequency,
                 cos_sin_of_angle(S(S(multiple_of_pair_frequency) * inverse_frequencies_[pair])))
        .first->second;
  }

 private:
  std::vector<S> inverse_frequencies_;
  S attention_factor_;
  CosSin<S> none_;
  mutable std::vector<std::map<std::int64_t, CosSin<S>>> direct_;  // per pair: k -> cos/sin of k * theta_j
};

}  // namespace mmrope
