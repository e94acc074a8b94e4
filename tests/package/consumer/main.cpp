// Uses the installed reference headers: the positions of a small layout under the qwen2-vl preset.
#include <cstdio>

#include "reference/designs/registry.hpp"
#include "reference/layout_spec.hpp"
#include "reference/presets.hpp"

int main() {
  const auto design = mmrope::make_preset_design(mmrope::find_preset("qwen2-vl"));
  const auto positions = design->assign(mmrope::parse_layout("text:3 image:1x4x6 text:2"));
  // 3 text tokens (0..2), a 2x3 grid of merged image tokens starting at 3 (extent 3), then text 6, 7.
  const bool ok = positions.tokens.size() == 11 && positions.next_position.to_string() == "8";
  std::printf("tokens %zu, next_position %s: %s\n", positions.tokens.size(), positions.next_position.to_string().c_str(),
              ok ? "ok" : "WRONG");
  return ok ? 0 : 1;
}
