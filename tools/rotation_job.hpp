// What `mmrope rotate` and `mmrope check` share: read X and the positions, build the spec, rotate exactly.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "design_options.hpp"
#include "npy.hpp"
#include "reference/frequency/preset_rotary.hpp"
#include "reference/emulation/emulated_rotation.hpp"
#include "reference/rotation.hpp"

namespace CLI { class App; }

namespace mmrope::cli {

struct RotationJobOptions {
  DesignOptions design;
  std::vector<std::string> layouts;  // one, or one per batch row
  std::string positions_path;        // instead of layouts: [tokens], [3, tokens], [batch, tokens] or [3, batch, tokens]
  std::string input_path;
  std::string dtype = "bf16";
  bool backward = false;
  std::string tensor = "query";
  std::optional<std::string> heads;
  std::optional<int> rotary_dim;
  std::string padding = "right";
  std::string convention = "transformers-4";

  void add_to(CLI::App& app);
};

// The exact rotation of every batch row of X.
struct RotationJob {
  npy::Array input;
  int batch = 1;              // 1 for a [tokens, heads, head_dim] input
  TensorShape row_shape;      // [tokens, heads, head_dim] of one row
  DType dtype = DType::bf16;
  TensorRole role = TensorRole::query;
  RotarySpec spec;
  std::vector<std::vector<Position3>> positions;  // per row, per token
  std::vector<RotatedTensor<Mpfr256>> rows;
  std::vector<double> x;  // X's values, C order
  bool backward = false;

  // All rows' rounded outputs, in X's C order.
  std::vector<std::uint32_t> bits() const;
  // What a named lower-precision convention gives for the same X, in X's C order.
  std::vector<std::uint32_t> emulate(Convention convention) const;
};

// Loads and checks everything, then rotates; throws mmrope::Error naming the file or option at fault.
// `progress` reports each finished row on a terminal (nothing when stderr is not one).
RotationJob run_rotation_job(const RotationJobOptions& options);

// The output of a job as the .npy a user expects for the dtype: float32, float16, or bf16 bits as uint16.
npy::Array output_array(const RotationJob& job);

}  // namespace mmrope::cli
