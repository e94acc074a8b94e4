// A preset's rotary spec: its frequency settings, with the rotary dim, sections and head counts optionally overridden.
#pragma once

#include <optional>
#include <string>

#include "presets.hpp"
#include "../frequency/allocation_registry.hpp"
#include "../frequency/rotary_spec.hpp"

namespace mmrope {

struct RotaryOverrides {
  std::optional<int> rotary_dim;
  std::optional<std::string> sections;
  std::optional<HeadCounts> heads;
  std::optional<Pairing> pairing;  // presets are neox (rotate_half); gptj for interleaved-pair kernels
};

// Presets are Qwen-style models: neox pairing (rotate_half) unless overridden. Every size is checked (rotary dim,
// head dim, rotary dim <= head dim) before the allocation, whose size follows from them, is built.
inline RotarySpec rotary_spec_for(const FrequencySettings& f, const RotaryOverrides& o = {}) {
  RotarySpec s;
  s.base = f.rope_theta;
  s.head_dim = f.head_dim;
  s.rotary_dim = o.rotary_dim.value_or(f.rotary_dim);
  check_rotary_dim(s.rotary_dim);
  if (s.head_dim < s.rotary_dim)
    throw Error("rotary dim " + std::to_string(s.rotary_dim) + " exceeds head dim " + std::to_string(s.head_dim));
  s.pairing = o.pairing.value_or(Pairing::neox);
  s.allocation = make_allocation(f.allocation, o.sections.value_or(f.sections), s.pairs(), o.heads);
  check_rotary_spec(s);
  return s;
}

}  // namespace mmrope
