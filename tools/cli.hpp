// The mmrope command line as a function, so tests run it in-process with captured output.
#pragma once

#include <exception>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace CLI { class App; }

namespace mmrope::cli {

// Runs `mmrope ARGS...` (args excludes the program name). Returns the exit status:
// 0 success, 1 a check that failed, 2 bad arguments or unusable input (one line on err).
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// The long option names of a subcommand, without "--" ("preset", "max-ulp", ...); throws mmrope::Error for an
// unknown subcommand.
std::vector<std::string> option_names(std::string_view subcommand);

// Runs `action` and turns every exception it lets out into one line on err and exit status 2:
// "mmrope CONTEXT: error: ..." (CONTEXT is the subcommand, or empty for the command line as a whole).
// mmrope::Error shows its message; std::bad_alloc and std::length_error say the input asks for too much
// memory; any other exception is reported as an internal error with its (shortened, one-line) what().
int run_reporting_errors(std::string_view context, const std::function<int()>& action, std::ostream& err);

// The one-line message run_reporting_errors gives for an exception (without the "mmrope CONTEXT: error: " prefix).
std::string describe_exception(const std::exception_ptr& e);

// The JSON report of a run that could not judge (exit status 2): {"passed": false, "exit_status": 2, "error": ...}.
void write_json_error(std::ostream& out, const std::string& message);

// Each subcommand registers itself on the app and sets `action` to what runs when it is chosen.
struct Command {
  CLI::App* app = nullptr;
  std::function<int(std::ostream& out)> action;
};

}  // namespace mmrope::cli
