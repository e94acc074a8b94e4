// Dispatches `mmrope SUBCOMMAND ...` and turns every error into exit status 2 with one line on stderr.
#include "cli.hpp"

#include <CLI/CLI.hpp>

#include <ostream>

#include "reference/error.hpp"
#include "subcommands.hpp"

namespace mmrope::cli {

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app{"mmrope: the exact specification of multimodal rotary position embeddings (RoPE)", "mmrope"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Print help for every subcommand");
  std::vector<Command> commands = {add_positions_command(app), add_presets_command(app), add_allocation_command(app), add_rotate_command(app), add_check_command(app), add_decay_command(app), add_table_command(app), add_verify_command(app)};

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
    err << "mmrope: error: " << what << "\n";
    return 2;
  }
  for (auto& c : commands) {
    if (!c.app->parsed()) continue;
    try {
      return c.action(out);
    } catch (const mmrope::Error& e) {
      err << "mmrope " << c.app->get_name() << ": error: " << e.what() << "\n";
      return 2;
    }
  }
  err << "mmrope: error: no subcommand given (try --help)\n";
  return 2;
}

}  // namespace mmrope::cli
