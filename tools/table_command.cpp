// `mmrope table`: the paper's Table 1 derived by running the property laws on every preset.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <iomanip>
#include <memory>
#include <ostream>
#include <string>

#include "properties/table1.hpp"
#include "subcommands.hpp"

namespace mmrope::cli {

Command add_table_command(CLI::App& app) {
  auto format = std::make_shared<std::string>("text");
  CLI::App* sub = app.add_subcommand("table", "Derive the paper's Table 1 (3-D structure, modality interval, "
                                              "frequency range, granularity, text compatibility) for every preset");
  sub->footer(
      "Each column is a law run on probe layouts (properties/table1.hpp): 3d_structure = a visual item is not\n"
      "flattened onto the text line; modality_interval = law 4 holds and a block starts one step after the text\n"
      "before it; freq_range = law 7 (every axis reads both ends of the spectrum); granularity = every axis reads\n"
      "every pair (for RoPE-Tie, a 2-D design: its axes h and w); text_compatible = law 3 (text rotates exactly as 1-D RoPE). '-': no per-axis allocation (1-D).\n"
      "reading: 'paper' for a preset that is the paper's reading of a method this library reads otherwise\n"
      "(rope-tie-paper, il-rope-paper), shown right after the 'library' row of the same method.");
  sub->add_option("--format", *format, "Output format")->capture_default_str()->check(CLI::IsMember({"text", "csv"}));
  return {sub, [format](std::ostream& out) {
            const auto rows = table1::derive_table();
            if (*format == "csv") {
              out << table1::csv_header() << "\n";
              for (const auto& r : rows) out << table1::csv_line(r) << "\n";
              return 0;
            }
            std::size_t width = 6;
            for (const auto& r : rows) width = std::max(width, r.design.size());
            out << std::left << std::setw(static_cast<int>(width) + 2) << "design" << std::setw(9) << "reading"
                << "3d   interval  range  granularity  text\n";
            for (const auto& r : rows)
              out << std::left << std::setw(static_cast<int>(width) + 2) << r.design << std::setw(9) << r.reading
                  << std::setw(5) << r.structure_3d
                  << std::setw(10) << r.modality_interval << std::setw(7) << r.freq_range << std::setw(13) << r.granularity
                  << r.text_compatible << "\n";
            return 0;
          }};
}

}  // namespace mmrope::cli
