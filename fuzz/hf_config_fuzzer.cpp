// libFuzzer harness: untrusted bytes as a config.json through parse_hf_config (nlohmann-json under a depth limit).
//
// Any mmrope::Error is an accepted outcome; a crash, a sanitizer report, a hang or another exception type is a bug,
// and so is an accepted config whose rotary settings the frequency plan then refuses with anything but an Error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hf_config.hpp"
#include "reference/error.hpp"
#include "reference/presets/preset_rotary.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mmrope::hf::ModelConfig c;
  try {
    c = mmrope::cli::parse_hf_config(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.json");
  } catch (const mmrope::Error&) {
    return 0;
  }
  if (c.spatial_merge_size < 1 || c.frequency.head_dim < 2 || c.frequency.rotary_dim > c.frequency.head_dim) __builtin_trap();
  try {
    (void)mmrope::rotary_spec_for(c.frequency);
  } catch (const mmrope::Error&) {
  }
  return 0;
}
