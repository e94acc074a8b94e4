// The claims tables against the registries: every registered preset and allocation states its claims once,
// every registered design is claimed through a preset, and no row names something unregistered.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "claims.hpp"
#include "reference/designs/registry.hpp"
#include "reference/frequency/allocation_registry.hpp"

namespace mmrope::claims {
namespace {

template <typename Row, typename Names>
void expect_one_row_per_name(const std::vector<Row>& rows, const char* Row::*key, const Names& registered,
                             const char* what) {
  std::map<std::string, int> count;
  for (const Row& r : rows) ++count[r.*key];
  std::map<std::string, bool> known;
  for (const auto& name : registered) {
    known[std::string(name)] = true;
    EXPECT_EQ(count[std::string(name)], 1) << "registered " << what << " '" << name
                                           << "' needs exactly one row in properties/claims.hpp";
  }
  for (const Row& r : rows) EXPECT_TRUE(known[r.*key]) << "claims row for unregistered " << what << " '" << r.*key << "'";
}

TEST(Claims, EveryRegisteredPresetHasOneRow) {
  std::vector<std::string> names;
  for (const Preset& p : presets()) names.push_back(p.name);
  expect_one_row_per_name(preset_claims(), &PresetClaims::preset, names, "preset");
}

TEST(Claims, EveryRegisteredAllocationHasOneRow) {
  std::vector<std::string> names;
  for (const AllocationInfo& a : allocation_registry()) names.emplace_back(a.name);
  expect_one_row_per_name(allocation_claims(), &AllocationClaims::allocation, names, "allocation");
}

// The laws draw presets, so a design no preset uses would be checked by no claimed law.
TEST(Claims, EveryRegisteredDesignIsClaimedThroughAPreset) {
  for (const DesignEntry& d : design_registry()) {
    bool used = false;
    for (const Preset& p : presets()) used = used || p.design == d.name;
    EXPECT_TRUE(used) << "design '" << d.name << "' has no preset, so no law checks its claims";
  }
}

TEST(Claims, AnUnclaimedNameIsAnError) {
  EXPECT_THROW(text_compatible("no-such-preset"), std::logic_error);
  EXPECT_THROW(full_range_allocation("no-such-allocation"), std::logic_error);
}

}  // namespace
}  // namespace mmrope::claims
