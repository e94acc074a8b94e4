// The options that override a preset's (or a config's) rotary settings on every command that rotates or maps pairs.
#pragma once

#include <optional>
#include <string>

#include "reference/presets/preset_rotary.hpp"

namespace CLI { class App; }

namespace mmrope::cli {

struct RotaryOptions {
  std::optional<std::string> rope_theta;  // exact decimal or fraction, > 1
  std::optional<std::string> allocation;  // a registered allocation: chunked, interleaved, multi-head, ...
  std::optional<std::string> sections;    // t,h,w pairs (KV heads for multi-head)
  std::optional<std::string> pairing;     // neox or gptj
  std::optional<int> head_dim;
  std::optional<int> rotary_dim;
  std::optional<std::string> heads;       // HQ:HKV

  // Adds the options; `with_head_dim` only where no input tensor fixes the head_dim.
  void add_to(CLI::App& app, bool with_head_dim);
  // The settings with every given override applied (values checked; throws mmrope::Error naming the option).
  FrequencySettings apply(FrequencySettings f) const;
  // The overrides rotary_spec_for takes (rotary dim, sections, heads, pairing).
  RotaryOverrides overrides() const;
};

}  // namespace mmrope::cli
