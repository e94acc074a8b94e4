// `mmrope check` as functions: its options, how they are added to a command line, and the judgement itself.
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "reference/comparison.hpp"
#include "rotation_job.hpp"

namespace CLI { class App; }

namespace mmrope::cli {

struct CheckOptions {
  RotationJobOptions job;
  std::string output_path;
  std::shared_ptr<const npy::MappedArray> output_array;  // Y in memory instead of the file (output_path names it)
  double max_ulp = 1.0;
  std::string convention = "exact";
  std::string error_model;  // empty: the convention's own
  std::string metric_name;       // pair, element, or empty: per dtype (pair for fp32, element for fp16 and bf16)
  std::optional<Metric> metric;  // what metric_name and the dtype choose
  int worst = 10;
  bool json = false;
};

// Adds every option of `mmrope check` (the rotation job's, --output, --max-ulp, ...) to `app`, bound to `options`.
void add_check_options(CLI::App& app, CheckOptions& options);

// Judges Y against X and writes the human report to `text` and the JSON report to `json` (either may be null).
// Returns 0 within the bound, 1 not; throws mmrope::Error for unusable input.
int run_check(const CheckOptions& options, std::ostream* text, std::ostream* json);

}  // namespace mmrope::cli
