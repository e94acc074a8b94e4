// The subcommands of mmrope; each file adds one.
#pragma once

#include "cli.hpp"

namespace mmrope::cli {

Command add_allocation_command(CLI::App& app);
Command add_positions_command(CLI::App& app);
Command add_presets_command(CLI::App& app);
Command add_rotate_command(CLI::App& app);
Command add_check_command(CLI::App& app);
Command add_decay_command(CLI::App& app);
Command add_table_command(CLI::App& app);
Command add_verify_command(CLI::App& app);

}  // namespace mmrope::cli
