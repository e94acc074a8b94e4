// For a law a design does not claim: RapidCheck must find a counterexample; its shrunk form is printed.
#pragma once

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <iostream>
#include <string>
#include <utility>

namespace mmrope::laws {

// Runs the property under the same RC_PARAMS seed as rc::check does (20x its max_success) and prints the result
// ("Falsifiable after N tests and M shrinks" with the minimal case: what docs/layout-rules.md records).
// Only a falsification counts: a property that passes or gives up (too many discards) fails the test.
template <class Property>
void expect_counterexample(const std::string& what, Property&& property) {
  rc::detail::configuration();
  std::cout << "[ witness  ] " << what << " (expected to be falsifiable):\n";
  rc::detail::TestMetadata metadata;
  metadata.id = metadata.description = what;
  // A witness can be rare (qwen2-vl-hf5's decoding differs only after a video whose t outruns its h and w;
  // 100 cases missed it about one run in ten), so the search may run 20x the configured cases. It stops at
  // the first counterexample, and the configured seed still reproduces it.
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  params.maxSuccess *= 20;
  const auto result = rc::detail::checkTestable(std::forward<Property>(property), metadata, params);
  std::cerr << "\n- " << what << "\n";
  rc::detail::printResultMessage(result, std::cerr);
  std::cerr << "\n";
  EXPECT_TRUE(result.template is<rc::detail::FailureResult>()) << what << ": RapidCheck found no counterexample";
}

}  // namespace mmrope::laws
