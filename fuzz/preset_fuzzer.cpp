// libFuzzer harness: every preset with fuzzed design overrides and rotary overrides, then a small layout.
//
// Input: byte 0 picks a preset; then text lines. A line KEY=VALUE overrides a design parameter;
// "rotary_dim:N", "sections:TEXT" and "heads:Q:KV" override the rotary settings; any other line is the layout
// (the last one wins; default "text:3 image:1x4x4 text:2"). Any mmrope::Error is an accepted outcome;
// a crash, a sanitizer report, a hang, another exception type or an assigned position outside int64 is a bug.
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reference/presets/preset_rotary.hpp"
#include "reference/layout_spec.hpp"
#include "reference/presets/presets.hpp"

namespace {

constexpr std::int64_t kMaxFuzzTokens = 1 << 12;  // legitimate layouts above this are skipped: time, not coverage

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0 || size > 4096) return 0;
  const auto& presets = mmrope::presets();
  const mmrope::Preset& preset = presets[data[0] % presets.size()];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<std::pair<std::string, std::string>> overrides;
  mmrope::RotaryOverrides rotary;
  std::string layout = "text:3 image:1x4x4 text:2";
  bool bad_number = false;
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    const std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    if (starts_with(line, "rotary_dim:")) {
      int v = 0;
      const auto digits = line.substr(11);
      bad_number |= std::from_chars(digits.data(), digits.data() + digits.size(), v).ec != std::errc();
      rotary.rotary_dim = v;
    } else if (starts_with(line, "sections:")) {
      rotary.sections = std::string(line.substr(9));
    } else if (starts_with(line, "heads:")) {
      try {
        rotary.heads = mmrope::parse_heads(line.substr(6));
      } catch (const mmrope::Error&) {
        return 0;
      }
    } else if (const std::size_t eq = line.find('='); eq != std::string_view::npos) {
      overrides.emplace_back(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
    } else {
      layout = std::string(line);
    }
  }
  if (bad_number) return 0;
  try {
    const mmrope::RotarySpec spec = mmrope::rotary_spec_for(preset.frequency, rotary);
    if (spec.allocation.pairs() != spec.pairs()) __builtin_trap();
  } catch (const mmrope::Error&) {
  }
  try {
    const auto design = mmrope::make_preset_design(preset, overrides);
    const mmrope::Sequence seq = mmrope::parse_layout(layout);
    if (design->token_total(seq) > kMaxFuzzTokens) return 0;
    const auto out = design->assign(seq);
    for (const auto& tok : out.tokens)
      for (auto axis : mmrope::kAxes)
        if (!tok.pos[axis].fits_int64()) __builtin_trap();
  } catch (const mmrope::Error&) {
  }
  return 0;
}
