// Dispatches `mmrope SUBCOMMAND ...` and turns every error into exit status 2 with one line on stderr.
#include "cli.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <exception>
#include <new>
#include <ostream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "reference/error.hpp"
#include "subcommands.hpp"

namespace mmrope::cli {
namespace {

// An exception's text as one line of bounded length: a message is never a dump.
std::string one_line(std::string_view what) {
  constexpr std::size_t kMaxShown = 300;
  std::string s(what.substr(0, kMaxShown));
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  if (what.size() > kMaxShown) s += "... (" + std::to_string(what.size()) + " characters)";
  return s;
}

std::vector<Command> add_commands(CLI::App& app) {
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Print help for every subcommand");
  return {add_positions_command(app), add_presets_command(app), add_allocation_command(app), add_rotate_command(app),
          add_check_command(app),     add_decay_command(app),   add_table_command(app),      add_verify_command(app)};
}

int parse_and_dispatch(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app{"mmrope: the exact specification of multimodal rotary position embeddings (RoPE)", "mmrope"};
  std::vector<Command> commands = add_commands(app);

  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes a reversed vector
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    out << (app.get_subcommands().empty() ? app.help() : app.get_subcommands().front()->help());
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    if (what.empty()) what = "missing subcommand (try --help)";
    err << "mmrope: error: " << one_line(what) << "\n";
    // `check --json` promises a JSON report on every exit, so a CI artifact is never empty.
    if (!args.empty() && args[0] == "check" && std::find(args.begin(), args.end(), "--json") != args.end())
      write_json_error(out, one_line(what));
    return 2;
  }
  for (auto& c : commands) {
    if (!c.app->parsed()) continue;
    return run_reporting_errors(c.app->get_name(), [&] { return c.action(out); }, err);
  }
  err << "mmrope: error: no subcommand given (try --help)\n";
  return 2;
}

}  // namespace

std::vector<std::string> option_names(std::string_view subcommand) {
  CLI::App app{"mmrope", "mmrope"};
  const std::vector<Command> commands = add_commands(app);
  for (const Command& c : commands) {
    if (c.app->get_name() != subcommand) continue;
    std::vector<std::string> names;
    for (const CLI::Option* opt : c.app->get_options())
      for (const std::string& name : opt->get_lnames()) names.push_back(name);
    return names;
  }
  throw Error("no subcommand " + std::string(subcommand));
}

void write_json_error(std::ostream& out, const std::string& message) {
  out << "{\n  \"passed\": false,\n  \"exit_status\": 2,\n  \"error\": " << nlohmann::json(message).dump() << "\n}\n";
}

std::string describe_exception(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const mmrope::Error& x) {
    return one_line(x.what());
  } catch (const std::bad_alloc&) {
    return "out of memory: the input asks for more memory than this machine can give";
  } catch (const std::length_error& x) {
    return "a size is too large to allocate (" + one_line(x.what()) + ")";
  } catch (const std::exception& x) {
    return "internal error (" + one_line(x.what()) + "); please report it with the command line";
  } catch (...) {
    return "internal error (an exception of unknown type); please report it with the command line";
  }
}

int run_reporting_errors(std::string_view context, const std::function<int()>& action, std::ostream& err) {
  const std::string prefix = context.empty() ? "mmrope: error: " : "mmrope " + std::string(context) + ": error: ";
  try {
    return action();
  } catch (...) {
    err << prefix << describe_exception(std::current_exception()) << "\n";
  }
  return 2;
}

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  return run_reporting_errors("", [&] { return parse_and_dispatch(args, out, err); }, err);
}

}  // namespace mmrope::cli
