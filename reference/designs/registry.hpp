// Every position design, by name: its parameters and how to build it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "../registry.hpp"
#include "circlerope.hpp"
#include "hope.hpp"
#include "il_rope.hpp"
#include "mrope.hpp"
#include "mrope_absolute_time.hpp"
#include "qwen3_vl.hpp"
#include "rope_tie.hpp"
#include "spatial_reset.hpp"
#include "v2pe.hpp"
#include "vanilla.hpp"
#include "videorope.hpp"

namespace mmrope {

struct DesignEntry {
  std::string name;
  std::string summary;
  std::function<std::vector<ParamSpec>()> param_specs;
  std::function<std::unique_ptr<PositionDesign>(Params)> make;
};

// Every design, in the order `mmrope presets` lists them. Defined in registry.cpp: the designs' code is
// compiled there once, not in every file that looks one up.
const std::vector<DesignEntry>& design_registry();

const DesignEntry& find_design(std::string_view name);

// Builds a design from its defaults with the given parameter values set over them.
std::unique_ptr<PositionDesign> make_design(std::string_view name,
                                            const std::vector<std::pair<std::string, std::string>>& values = {});

}  // namespace mmrope
