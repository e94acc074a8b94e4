// Which rules each transformers release applies in get_rope_index, in one table: version ranges per model family.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "../batch.hpp"
#include "../error.hpp"
#include "model_config.hpp"

namespace mmrope::hf {

// A release number, MAJOR.MINOR.PATCH; "4.57.0.dev0" and "5.3.0rc1" read as their numeric part.
struct Version {
  int major = 0, minor = 0, patch = 0;
  friend auto operator<=>(const Version&, const Version&) = default;
  std::string to_string() const { return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch); }
};

// Reads "5.24.0", "4.57", "4.57.0.dev0"; throws mmrope::Error for anything that does not start MAJOR.MINOR.
inline Version parse_version(std::string_view text) {
  Version v;
  int* parts[] = {&v.major, &v.minor, &v.patch};
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (int i = 0; i < 3; ++i) {
    auto [next, ec] = std::from_chars(p, end, *parts[i]);
    if (ec != std::errc() || *parts[i] < 0) {
      if (i == 2) break;  // no patch number: 4.57 is 4.57.0
      throw Error("transformers version " + quoted_prefix(text) + " is not MAJOR.MINOR[.PATCH] (e.g. 4.57.6 or 5.24.0)");
    }
    p = next;
    if (i < 2) {
      if (p == end || *p != '.') {
        if (i == 1) break;
        throw Error("transformers version " + quoted_prefix(text) + " is not MAJOR.MINOR[.PATCH] (e.g. 4.57.6 or 5.24.0)");
      }
      ++p;
    }
  }
  return v;
}

// What a release's get_rope_index does with padding. 4.x: pads 1, delta over the padded length, a text-only
// branch for batches without grids; 5.3+: pads 0, delta over the real tokens; 5.2.0 sits between: pads 0, delta
// over the padded length, no text-only branch, and for Qwen2-VL the delta clamped at 0 (`max(..., 0)`).
struct PaddingRules {
  std::int64_t pad_value = 1;
  bool delta_over_padded_length = true;
  bool text_only_branch = true;
  bool delta_clamped_at_zero = false;
  friend bool operator==(const PaddingRules&, const PaddingRules&) = default;
  std::string name() const {
    if (pad_value == 1) return "transformers-4 (pads 1, delta over the padded length)";
    if (!delta_over_padded_length) return "transformers-5 (pads 0, delta over the real tokens)";
    return std::string("transformers-5.2 (pads 0, delta over the padded length") + (delta_clamped_at_zero ? ", clamped at 0)" : ")");
  }
};
inline constexpr PaddingRules kPadding4{1, true, true, false};
inline constexpr PaddingRules kPadding5{0, false, false, false};
inline constexpr PaddingRules kPadding5_2{0, true, false, false};
inline constexpr PaddingRules kPadding5_2Clamped{0, true, false, true};

// The rules one range of releases applies for one model family.
struct VersionRules {
  ModelFamily family;
  Version first, last;            // inclusive; `last` is the newest release this range was checked to hold for
  std::string preset;             // the preset whose design computes exactly these positions; empty: refused
  PaddingRules padding;           // padded slots, the rope delta's denominator, the text-only branch
  std::string_view what_changed;  // what starts at `first`, and where in transformers it came from (or why it is refused)
};

const std::vector<VersionRules>& version_table();

// The rules a release applies for a family; a release outside every known range throws an error listing them.
const VersionRules& rules_for(ModelFamily family, const Version& version);

// The newest known range of a family (the default when no version is given or known).
const VersionRules& newest_rules(ModelFamily family);

// "4.57.0 to 5.2.x (qwen3-vl, padding transformers-4), ...": every range a preset reproduces; empty when none.
std::string ranges_of_preset(std::string_view preset);

}  // namespace mmrope::hf
