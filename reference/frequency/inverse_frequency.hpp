// The unscaled RoPE spectrum: theta_j = base^(-2j/d) for pairs j = 0 .. d/2-1 of a rotary dim d, in the scalar.
#pragma once

#include <string>
#include <vector>

#include "../error.hpp"
#include "../scalar.hpp"

namespace mmrope {

// Checks a rotary dim: positive and even (each pair takes two channels).
// The largest rotary dim (and head dim) the reference accepts: 64 times any released model's (<= 256), and
// small enough that every per-pair table stays a few megabytes whatever a command line asks for.
inline constexpr int kMaxRotaryDim = 1 << 14;

inline void check_rotary_dim(int rotary_dim) {
  if (rotary_dim <= 0 || rotary_dim % 2 != 0 || rotary_dim > kMaxRotaryDim)
    throw Error("rotary dim " + std::to_string(rotary_dim) + " must be a positive even number at most " +
                std::to_string(kMaxRotaryDim));
}

// theta_j = base^(-2j/d). The exponent -j/(d/2) is formed in S (one rounding at most, none when d/2 is a power
// of two) and pow is correctly rounded in MPFR; j = 0 gives exactly 1.
template <class S>
S inverse_frequency(const S& base, int pair, int rotary_dim) {
  using std::pow;
  check_rotary_dim(rotary_dim);
  if (pair < 0 || pair >= rotary_dim / 2)
    throw Error("pair " + std::to_string(pair) + " is outside 0.." + std::to_string(rotary_dim / 2 - 1));
  if (pair == 0) return S(1);
  return pow(base, S(-pair) / S(rotary_dim / 2));
}

// The whole spectrum, pair 0 (highest frequency) first.
template <class S>
std::vector<S> inverse_frequencies(const S& base, int rotary_dim) {
  check_rotary_dim(rotary_dim);
  if (!(base > 1)) throw Error("rope base must be greater than 1");
  std::vector<S> out;
  out.reserve(rotary_dim / 2);
  for (int j = 0; j < rotary_dim / 2; ++j) out.push_back(inverse_frequency(base, j, rotary_dim));
  return out;
}

}  // namespace mmrope
