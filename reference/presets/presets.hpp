// Named presets: a position design with the parameters of a released model, plus its frequency settings.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../designs/registry.hpp"
#include "../registry.hpp"

namespace mmrope {

// The rotary settings a preset's model uses. The position designs do not read them; the frequency plan
// (the allocation and rotation half of the reference) does.
struct FrequencySettings {
  std::string rope_theta;  // exact decimal text, e.g. "1000000"
  int head_dim = 128;
  int rotary_dim = 128;    // < head_dim for partial rotary
  std::string allocation;  // a name of allocation_registry(): "1d", "chunked", "interleaved", "videorope", "2d", ...
  std::string sections;    // allocation sections, e.g. "16,24,24" (pairs per axis; KV heads per axis for multi-head)
};

struct Preset {
  std::string name;
  std::string design;
  std::vector<std::pair<std::string, std::string>> params;  // set over the design's defaults
  FrequencySettings frequency;
  std::string source;  // where the values come from
};

// Every preset (presets.cpp holds the table: what each value is and where it comes from).
const std::vector<Preset>& presets();

const Preset& find_preset(std::string_view name);

// The preset's design with its parameters, then the caller's overrides on top.
std::unique_ptr<PositionDesign> make_preset_design(const Preset& preset,
                                                   const std::vector<std::pair<std::string, std::string>>& overrides = {});

}  // namespace mmrope
