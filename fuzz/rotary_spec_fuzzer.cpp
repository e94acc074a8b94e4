// libFuzzer harness: untrusted rotary settings through parse_sections, parse_heads, make_allocation and rotary_spec_for.
//
// Input: text lines ALLOCATION, SECTIONS, HEADS, ROTARY_DIM, HEAD_DIM (missing lines are empty; an empty HEADS
// or ROTARY_DIM means none given). Any mmrope::Error is an accepted outcome; a crash, a sanitizer report, a hang,
// another exception type, or a spec whose allocation does not match its pairs and heads is a bug.
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reference/presets/preset_rotary.hpp"

namespace {

std::optional<int> as_int(std::string_view s) {
  int v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> lines;
  while (!text.empty() && lines.size() < 5) {
    const std::size_t eol = text.find('\n');
    lines.emplace_back(text.substr(0, eol));
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
  }
  lines.resize(5);
  try {
    if (!lines[1].empty()) mmrope::parse_sections(lines[1]);  // on its own: must not crash whatever it says
    std::optional<mmrope::HeadCounts> heads;
    if (!lines[2].empty()) heads = mmrope::parse_heads(lines[2]);
    if (const auto pairs = as_int(lines[3])) {
      const auto a = mmrope::make_allocation(lines[0], lines[1], *pairs, heads);
      if (a.pairs() != *pairs) __builtin_trap();
    }
    mmrope::FrequencySettings f{"10000", as_int(lines[4]).value_or(128), 128, lines[0], lines[1]};
    mmrope::RotaryOverrides o;
    o.rotary_dim = as_int(lines[3]);
    o.heads = heads;
    const mmrope::RotarySpec spec = mmrope::rotary_spec_for(f, o);
    const auto& a = spec.allocation;
    if (a.pairs() != spec.pairs() || spec.rotary_dim > spec.head_dim || spec.rotary_dim > mmrope::kMaxRotaryDim) __builtin_trap();
    const std::size_t letters = a.per_head() ? static_cast<std::size_t>(a.heads().query) : static_cast<std::size_t>(a.pairs());
    if (a.map().size() != letters) __builtin_trap();
    for (int j = 0; j < a.pairs(); ++j) a.key_axis(0, j);
  } catch (const mmrope::Error&) {
  }
  return 0;
}
