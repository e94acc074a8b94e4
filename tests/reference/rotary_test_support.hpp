// Helpers shared by the rotation and score tests: a rotary spec over base 1e6 from an allocation name.
#pragma once

#include <optional>
#include <string>

#include "reference/frequency/allocation_registry.hpp"
#include "reference/frequency/rotary_spec.hpp"

namespace mmrope {

inline RotarySpec spec_of(const std::string& allocation, const std::string& sections, int head_dim = 128,
                          int rotary_dim = 128, Pairing pairing = Pairing::neox,
                          std::optional<HeadCounts> heads = std::nullopt) {
  RotarySpec s;
  s.base = "1000000";
  s.head_dim = head_dim;
  s.rotary_dim = rotary_dim;
  s.pairing = pairing;
  s.allocation = make_allocation(allocation, sections, rotary_dim / 2, heads);
  return s;
}

}  // namespace mmrope
