// For a law a design does not claim: RapidCheck must find a counterexample; its shrunk form is printed.
#pragma once

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <iostream>
#include <string>
#include <utility>

namespace mmrope::laws {

// Runs the property under the same RC_PARAMS (seed, max_success) as rc::check does and prints the result
// ("Falsifiable after N tests and M shrinks" with the minimal case: what docs/layout-rules.md records).
// Only a falsification counts: a property that passes or gives up (too many discards) fails the test.
template <class Property>
void expect_counterexample(const std::string& what, Property&& property) {
  rc::detail::configuration();
  std::cout << "[ witness  ] " << what << " (expected to be falsifiable):\n";
  rc::detail::TestMetadata metadata;
  metadata.id = metadata.description = what;
  const auto result = rc::detail::checkTestable(std::forward<Property>(property), metadata);
  std::cerr << "\n- " << what << "\n";
  rc::detail::printResultMessage(result, std::cerr);
  std::cerr << "\n";
  EXPECT_TRUE(result.template is<rc::detail::FailureResult>()) << what << ": RapidCheck found no counterexample";
}

}  // namespace mmrope::laws
