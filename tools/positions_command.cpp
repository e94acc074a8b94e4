// `mmrope positions`: the exact position of every token of a layout under a preset or design.
#include <CLI/CLI.hpp>

#include <ostream>
#include <string>

#include "design_options.hpp"
#include "hf_inputs.hpp"
#include "kernels/host/build_positions_host.hpp"
#include "kernels/host/position_plan_builder.hpp"
#include "npy.hpp"
#include "reference/batch.hpp"
#include "reference/layout_spec.hpp"
#include "subcommands.hpp"

namespace mmrope::cli {
namespace {

struct PositionsOptions {
  DesignOptions design;
  std::vector<std::string> layouts;
  std::string format = "csv";
  std::string padding = "right";
  std::string convention = "transformers-4";
  std::optional<std::int64_t> pad_to;
  HfInputOptions hf;
  std::string output_path, deltas_path;
  std::string engine = "reference";
};

// A coordinate as a JSON value: exact decimals and 17-digit irrationals are JSON numbers; a rational
// without a terminating decimal is the string "p/q" (JSON numbers cannot carry it exactly).
std::string json_value(const Coordinate& c) {
  std::string s = c.to_string();
  return s.find('/') == std::string::npos ? s : "\"" + s + "\"";
}

void write_csv(std::ostream& out, const BatchPositions& batch, bool with_batch_column) {
  out << (with_batch_column ? "batch,index,kind,t,h,w\n" : "index,kind,t,h,w\n");
  for (std::size_t b = 0; b < batch.rows.size(); ++b) {
    const auto& tokens = batch.rows[b].tokens;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      if (with_batch_column) out << b << ',';
      out << i << ',' << to_string(tokens[i].kind) << ',' << tokens[i].pos.t.to_string() << ','
          << tokens[i].pos.h.to_string() << ',' << tokens[i].pos.w.to_string() << '\n';
    }
  }
}

void write_json_row(std::ostream& out, const SequencePositions& row, const std::string& indent) {
  out << indent << "\"tokens\": [\n";
  for (std::size_t i = 0; i < row.tokens.size(); ++i) {
    const auto& tok = row.tokens[i];
    out << indent << "  {\"index\": " << i << ", \"kind\": \"" << to_string(tok.kind) << "\", \"t\": " << json_value(tok.pos.t)
        << ", \"h\": " << json_value(tok.pos.h) << ", \"w\": " << json_value(tok.pos.w) << "}"
        << (i + 1 < row.tokens.size() ? ",\n" : "\n");
  }
  out << indent << "],\n";
  out << indent << "\"next_position\": " << json_value(row.next_position) << ",\n";
  out << indent << "\"rope_delta\": " << json_value(row.rope_delta) << "\n";
}

void write_json(std::ostream& out, const BatchPositions& batch, const PositionsOptions& o, std::string_view design) {
  out << "{\n  \"source\": \"" << o.design.label() << "\",\n  \"design\": \"" << design << "\",\n";
  if (batch.rows.size() == 1) {
    write_json_row(out, batch.rows[0], "  ");
  } else {
    out << "  \"padding\": \"" << o.padding << "\",\n  \"padding_convention\": \"" << o.convention << "\",\n";
    out << "  \"padded_length\": " << batch.padded_length << ",\n  \"sequences\": [\n";
    for (std::size_t b = 0; b < batch.rows.size(); ++b) {
      out << "    {\n";
      write_json_row(out, batch.rows[b], "      ");
      out << "    }" << (b + 1 < batch.rows.size() ? ",\n" : "\n");
    }
    out << "  ]\n";
  }
  out << "}\n";
}

void write_hf_csv(std::ostream& out, const HfPositions& p) {
  const hf::RopeIndex& x = p.index;
  out << "# " << p.summary() << "\n";
  out << "batch,index,kind,t,h,w\n";
  for (std::int64_t b = 0; b < x.batch; ++b)
    for (std::int64_t i = 0; i < x.length; ++i)
      out << b << ',' << i << ',' << to_string(x.kinds[static_cast<std::size_t>(b * x.length + i)]) << ',' << x.at(0, b, i) << ','
          << x.at(1, b, i) << ',' << x.at(2, b, i) << '\n';
}

// position_ids [3, B, L] and rope_deltas [B, 1] exactly as get_rope_index returns them, as nested JSON lists.
void write_hf_json(std::ostream& out, const HfPositions& p) {
  const hf::RopeIndex& x = p.index;
  out << "{\n  \"source\": \"hf-inputs\",\n  \"model\": \"" << hf::to_string(p.config.family) << "\",\n  \"transformers\": \""
      << p.version << "\",\n  \"rules\": \"" << p.summary() << "\",\n  \"preset\": \"" << p.rules.preset
      << "\",\n  \"padding_convention\": \""
      << p.rules.padding.name().substr(0, p.rules.padding.name().find(' ')) << "\",\n";
  out << "  \"position_ids\": [";
  for (int a = 0; a < 3; ++a) {
    out << (a ? ",\n    [" : "\n    [");
    for (std::int64_t b = 0; b < x.batch; ++b) {
      out << (b ? ", [" : "[");
      for (std::int64_t i = 0; i < x.length; ++i) out << (i ? ", " : "") << x.at(a, b, i);
      out << "]";
    }
    out << "]";
  }
  out << "\n  ],\n  \"rope_deltas\": [";
  for (std::int64_t b = 0; b < x.batch; ++b) out << (b ? ", [" : "[") << x.rope_deltas[static_cast<std::size_t>(b)] << "]";
  out << "]\n}\n";
}

int run_hf(std::ostream& out, const PositionsOptions& o) {
  const HfPositions p = load_hf_positions(o.hf);
  const hf::RopeIndex& x = p.index;
  if (!o.output_path.empty() || !o.deltas_path.empty()) {
    if (!o.output_path.empty()) {
      npy::write_npy(o.output_path, npy::make_array({3, x.batch, x.length}, std::span<const std::int64_t>(x.position_ids)));
      out << "wrote " << o.output_path << ": position_ids [3, " << x.batch << ", " << x.length << "] int64\n";
    }
    if (!o.deltas_path.empty()) {
      npy::write_npy(o.deltas_path, npy::make_array({x.batch, 1}, std::span<const std::int64_t>(x.rope_deltas)));
      out << "wrote " << o.deltas_path << ": rope_deltas [" << x.batch << ", 1] int64\n";
    }
    out << p.summary() << "\n";
    return 0;
  }
  if (o.format == "csv")
    write_hf_csv(out, p);
  else
    write_hf_json(out, p);
  return 0;
}

}  // namespace

Command add_positions_command(CLI::App& app) {
  auto opts = std::make_shared<PositionsOptions>();
  CLI::App* sub = app.add_subcommand("positions", "Print the exact (t, h, w) of every token of a layout");
  sub->footer(
      "LAYOUT is whitespace-separated items: text:N, image:TxHxW, video:TxHxW, video:TxHxW@SECONDS_PER_GRID.\n"
      "Grids are in ViT patches (grid_thw); H and W are divided by the merge size to get LLM tokens.\n"
      "Text runs count every text token, including <|vision_start|> and <|vision_end|>.\n"
      "CSV: index,kind,t,h,w (batch,index,kind,t,h,w for several --layout). Values are exact: integers,\n"
      "exact decimals, p/q for other rationals, 17 significant digits for irrational designs.\n"
      "JSON adds next_position (the 1-D position of the first generated token) and rope_delta.\n"
      "From a model's real inputs: --hf-inputs INPUTS.npz --hf-config config.json [--transformers VERSION]\n"
      "gives position_ids and rope_deltas as that transformers release computes them (CSV, JSON, or --output\n"
      "and --deltas-output .npy files); the first CSV line, a '#' comment, says which rules applied.\n"
      "--engine kernel builds the same output with the kernels' position builder (Thrust steps, run here by its\n"
      "host twin); every design but circlerope, whose positions are irrational.\n"
      "Example: mmrope positions --preset qwen2-vl --layout \"text:3 image:1x4x6 text:2\"");
  opts->design.add_to(*sub);
  sub->add_option("--layout", opts->layouts, "The layout of a sequence; repeat for a batch");
  opts->hf.add_to(*sub);
  sub->add_option("--output", opts->output_path, "With --hf-inputs: write position_ids [3, B, L] int64 to this .npy");
  sub->add_option("--deltas-output", opts->deltas_path, "With --hf-inputs: write rope_deltas [B, 1] int64 to this .npy");
  sub->add_option("--format", opts->format, "Output format")->capture_default_str()->check(CLI::IsMember({"csv", "json"}));
  sub->add_option("--padding", opts->padding, "Side padded in a batch")->capture_default_str()->check(CLI::IsMember({"left", "right"}));
  sub->add_option("--padding-convention", opts->convention,
                  "Padded slots and rope_delta as transformers 4.x (pads 1, delta over padded length) or 5.x "
                  "(pads 0, delta over real tokens)")
      ->capture_default_str()
      ->check(CLI::IsMember({"transformers-4", "transformers-5"}));
  sub->add_option("--pad-to", opts->pad_to, "Pad every sequence to this length (default: the longest)");
  sub->add_option("--engine", opts->engine,
                  "reference: the exact reference's walk; kernel: the kernels' position builder (Thrust; its host "
                  "twin here), same output")
      ->capture_default_str()
      ->check(CLI::IsMember({"reference", "kernel"}));

  return {sub, [opts](std::ostream& out) {
            if (opts->hf.given()) {
              if (!opts->layouts.empty()) throw Error("give either --layout or --hf-inputs/--hf-config, not both");
              if (opts->engine != "reference") throw Error("--hf-inputs runs the reference's get_rope_index; drop --engine");
              if (!opts->design.preset.empty() || !opts->design.design.empty())
                throw Error("--hf-inputs takes the design from --hf-config and --transformers; drop --preset/--design");
              return run_hf(out, *opts);
            }
            if (opts->layouts.empty()) throw Error("give --layout SPEC (repeat for a batch) or --hf-inputs INPUTS.npz --hf-config config.json");
            if (!opts->output_path.empty() || !opts->deltas_path.empty())
              throw Error("--output and --deltas-output go with --hf-inputs");
            const auto design = opts->design.build();
            std::vector<Sequence> sequences;
            for (std::size_t i = 0; i < opts->layouts.size(); ++i) {
              try {
                sequences.push_back(parse_layout(opts->layouts[i]));
              } catch (const Error& e) {
                throw Error(opts->layouts.size() == 1 ? std::string(e.what())
                                                      : "--layout " + std::to_string(i + 1) + ": " + e.what());
              }
            }
            BatchPositions batch;
            const PaddingSide side = opts->padding == "left" ? PaddingSide::left : PaddingSide::right;
            const PaddingConvention convention = opts->convention == "transformers-4" ? PaddingConvention::transformers4
                                                                                      : PaddingConvention::transformers5;
            if (opts->engine == "kernel") {
              // A single unpadded sequence is a batch of one under either convention: its delta is over its length.
              batch = kernels::as_batch_positions(
                  kernels::build_positions_host(kernels::make_position_plan(*design, sequences, side, convention, opts->pad_to)));
            } else if (sequences.size() == 1 && !opts->pad_to) {
              batch.rows.push_back(design->assign(sequences[0]));
              batch.padded_length = static_cast<std::int64_t>(batch.rows[0].tokens.size());
            } else {
              batch = assign_batch(*design, sequences, side, convention, opts->pad_to);
            }
            if (opts->format == "csv")
              write_csv(out, batch, sequences.size() > 1);
            else
              write_json(out, batch, *opts, design->name());
            return 0;
          }};
}

}  // namespace mmrope::cli
