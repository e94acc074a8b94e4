// The diagnosis of a failed check: which known kernel bugs (from a fixed vocabulary) explain the output's errors.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "reference/comparison.hpp"
#include "reference/judge/judge_engine.hpp"

namespace mmrope::judge {

// One likely cause of a failed check, from a fixed vocabulary.
struct Diagnosis {
  std::string cls;       // one of diagnosis_classes()
  std::string evidence;  // what in the output fits the class, in words
  double confidence = 0;  // in [0, 1]
};

// The vocabulary, in a fixed order (part of the JSON report).
const std::vector<std::string_view>& diagnosis_classes();

// Names the likely causes of the differences between `got` and the exact rotation of `x`, most likely first;
// empty when the evidence fits no class (always empty for a correct output). `report` is judge::check's report
// for the same inputs. Reads a bounded sample of tokens (about 512, plus the report's worst), never the whole
// tensor; never throws on odd data (NaN, zeros): such samples are skipped. Throws mmrope::Error only for a problem
// that judge::validate rejects.
std::vector<Diagnosis> diagnose(const Problem& p, const ValueReader& x, const BitsReader& got, const ComparisonReport& report);

}  // namespace mmrope::judge
