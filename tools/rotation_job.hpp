// What `mmrope rotate` and `mmrope check` share: open X and the positions, build the spec and the judge's problem.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "design_options.hpp"
#include "hf_inputs.hpp"
#include "npy.hpp"
#include "rotary_options.hpp"
#include "tensor_layout.hpp"
#include "reference/presets/preset_rotary.hpp"
#include "reference/emulation/convention_bounds.hpp"
#include "reference/judge/judge_engine.hpp"
#include "reference/rotation.hpp"

namespace CLI { class App; }

namespace mmrope::cli {

struct RotationJobOptions {
  DesignOptions design;
  std::vector<std::string> layouts;  // one, or one per batch row
  std::string positions_path;        // instead of layouts: [tokens], [3, tokens], [batch, tokens] or [3, batch, tokens]
  std::string positions_kind = "auto";  // auto, 1d or thw: how --positions reads (positions_file.hpp)
  std::string input_path;
  std::string input_layout = "bshd";  // how X (and Y) order their axes
  std::string dtype = "bf16";
  bool backward = false;
  std::string tensor = "query";
  RotaryOptions rotary;  // overrides of the preset's (or config's) rotary settings; head_dim is X's
  std::string padding = "right";
  std::string convention = "transformers-4";
  std::string engine = "fast";
  unsigned threads = 0;
  HfInputOptions hf;  // instead of --preset and --layout/--positions: the model's own inputs and config
  // Arrays in memory instead of the files (the Python module): input_path and positions_path then only name them.
  std::shared_ptr<const npy::MappedArray> input_array;
  std::optional<npy::Array> positions_array;

  void add_to(CLI::App& app);
  judge::Options judge_options() const;  // engine and threads; progress on a terminal
};

// X and everything the judge needs to rotate it: nothing is rotated yet, and X stays in its file.
struct RotationJob {
  std::shared_ptr<const npy::MappedArray> input;
  int batch = 1;              // 1 for a [tokens, heads, head_dim] input
  TensorShape row_shape;      // [tokens, heads, head_dim] of one row
  TensorLayout layout;        // how the file orders [batch, tokens, heads, head_dim]
  DType dtype = DType::bf16;
  TensorRole role = TensorRole::query;
  RotarySpec spec;
  std::vector<std::vector<Position3>> positions;  // per row, per token
  std::vector<std::vector<TokenKind>> kinds;      // per row, per token; empty for a positions file (inferred)
  bool backward = false;
  std::string label;       // what the report names: the preset, or the HF rules applied
  std::string hf_summary;  // with --hf-inputs: which transformers rules gave the positions

  judge::Problem problem() const;
  // X's values in [batch, tokens, heads, head_dim] order: floats as they are, bf16 bit patterns decoded exactly.
  judge::ValueReader input_values() const;
  // What a named convention can give for the same X under an error model, in [batch, tokens, heads, head_dim] order.
  ConventionRange convention_range(Convention convention, const ErrorModel& model) const;
};

// Opens and checks everything; throws mmrope::Error naming the file or option at fault.
RotationJob load_rotation_job(const RotationJobOptions& options);

// The .npy element type a user expects for the dtype: float32, float16, or bf16 bits as uint16.
npy::ElementType output_type(DType dtype);

}  // namespace mmrope::cli
