// Runs the mmrope command line in-process and captures its exit status, stdout and stderr.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "cli.hpp"

namespace mmrope {

struct CliResult {
  int status = -1;
  std::string out, err;
};

inline CliResult run_cli(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  CliResult r;
  r.status = cli::run(args, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

}  // namespace mmrope
