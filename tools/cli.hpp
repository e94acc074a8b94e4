// The mmrope command line as a function, so tests run it in-process with captured output.
#pragma once

#include <iosfwd>
#include <string>
#include <functional>
#include <vector>

namespace CLI { class App; }

namespace mmrope::cli {

// Runs `mmrope ARGS...` (args excludes the program name). Returns the exit status:
// 0 success, 1 a check that failed, 2 bad arguments or unusable input (one line on err).
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// Each subcommand registers itself on the app and sets `action` to what runs when it is chosen.
struct Command {
  CLI::App* app = nullptr;
  std::function<int(std::ostream& out)> action;
};

}  // namespace mmrope::cli
