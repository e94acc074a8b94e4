// libFuzzer harness: untrusted layout text and design parameters through the parser and every design.
//
// Input: byte 0 picks a design of the registry; the rest is text. Its first line is the layout;
// each further line is KEY=VALUE, a design parameter. Any mmrope::Error is an accepted outcome;
// a crash, a sanitizer report, a hang or another exception type is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reference/designs/registry.hpp"
#include "reference/layout_spec.hpp"

namespace {

// Positions are materialised per token; a fuzzer gains nothing from huge layouts but time.
constexpr std::int64_t kMaxFuzzTokens = 1 << 12;

std::int64_t rough_token_count(const mmrope::Sequence& seq, std::int64_t merge) {
  std::int64_t total = 0;
  for (std::size_t i = 0; i < seq.segments.size(); ++i) {
    const auto& s = seq.segments[i];
    if (const auto* text = std::get_if<mmrope::TextRun>(&s)) {
      total += std::min<std::int64_t>(text->length, kMaxFuzzTokens + 1);
    } else {
      const auto g = mmrope::visual_tokens(i, s, merge);  // throws for bad grids
      total += std::min<std::int64_t>(g.count(), kMaxFuzzTokens + 1);
    }
    if (total > kMaxFuzzTokens) break;
  }
  return total;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0 || size > 4096) return 0;
  const auto& registry = mmrope::design_registry();
  const auto& entry = registry[data[0] % registry.size()];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::size_t eol = text.find('\n');
  const std::string_view layout = text.substr(0, eol);
  std::vector<std::pair<std::string, std::string>> params;
  for (std::string_view rest = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1); !rest.empty();) {
    const std::size_t next = rest.find('\n');
    const std::string_view line = rest.substr(0, next);
    const std::size_t eq = line.find('=');
    if (eq != std::string_view::npos) params.emplace_back(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
    rest = next == std::string_view::npos ? std::string_view{} : rest.substr(next + 1);
  }
  try {
    const mmrope::Sequence seq = mmrope::parse_layout(layout);
    const auto design = mmrope::make_design(entry.name, params);
    if (rough_token_count(seq, design->merge_size()) > kMaxFuzzTokens) return 0;
    const auto out = design->assign(seq);
    for (const auto& tok : out.tokens)
      for (auto axis : mmrope::kAxes)
        if (!tok.pos[axis].fits_int64()) __builtin_trap();  // assign promised int64 range
  } catch (const mmrope::Error&) {
  }
  return 0;
}
