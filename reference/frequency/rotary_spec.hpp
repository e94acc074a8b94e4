// What a rotary embedding is, exactly: base, head and rotary dims, pairing, allocation scaling.
#pragma once

#include <string>

#include "allocation.hpp"
#include "inverse_frequency.hpp"
#include "pairing.hpp"
#include "scaling.hpp"

namespace mmrope {

struct RotarySpec {
  std::string base = "10000";  // rope_theta as exact decimal text
  int head_dim = 128;
  int rotary_dim = 128;        // < head_dim: channels [rotary_dim, head_dim) pass through unchanged
  Pairing pairing = Pairing::neox;
  Allocation allocation;       // over rotary_dim / 2 pairs
  RopeScaling scaling;         // none by default

  int pairs() const { return rotary_dim / 2; }
};

inline void check_rotary_spec(const RotarySpec& s) {
  check_rotary_dim(s.rotary_dim);
  if (s.head_dim < s.rotary_dim)
    throw Error("rotary dim " + std::to_string(s.rotary_dim) + " exceeds head dim " + std::to_string(s.head_dim));
  if (s.allocation.pairs() != s.pairs())
    throw Error("allocation '" + s.allocation.name() + "' has " + std::to_string(s.allocation.pairs()) +
                " pairs, the rotary dim has " + std::to_string(s.pairs()));
}

}  // namespace mmrope
