// `mmrope rotate`: the exact reference applied to X.npy, rounded once to the dtype, written to Y.npy.
#include <CLI/CLI.hpp>

#include <ostream>
#include <span>
#include <vector>

#include "rotation_job.hpp"
#include "subcommands.hpp"

namespace mmrope::cli {

Command add_rotate_command(CLI::App& app) {
  auto opts = std::make_shared<RotationJobOptions>();
  auto output = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand("rotate", "Rotate X.npy with the exact reference and write the rounded result");
  sub->footer(
      "The preset gives the position design and the rotary settings (rope_theta, allocation, pairing); X's last\n"
      "dimension is the head_dim. Every output element is the exact rotation rounded once to --dtype:\n"
      "f32 writes float32, f16 float16, bf16 its bit patterns as uint16.\n"
      "Example: mmrope rotate --preset qwen2-vl --layout \"text:3 image:1x4x6 text:2\" --input q.npy --output q_rot.npy");
  opts->add_to(*sub);
  sub->add_option("--output", *output, "Where to write Y.npy")->required();
  return {sub, [opts, output](std::ostream& out) {
            const RotationJob job = load_rotation_job(*opts);
            // Streamed: each block of tokens is rounded and written at its offset as soon as it is done.
            npy::NpyWriter writer(*output, output_type(job.dtype), job.input->shape);
            const std::size_t item = job.dtype == DType::fp32 ? 4 : 2;
            const auto write = [&writer, item](std::int64_t first, std::span<const std::uint32_t> bits) {
              std::vector<std::uint8_t> bytes(bits.size() * item);
              for (std::size_t i = 0; i < bits.size(); ++i)
                for (std::size_t k = 0; k < item; ++k) bytes[i * item + k] = static_cast<std::uint8_t>(bits[i] >> (8 * k));
              writer.write(first, bytes);
            };
            judge::rotate(job.problem(), job.input_values(), reordered(job.layout, judge::BitsWriter(write)), opts->judge_options());
            writer.close();
            out << "wrote " << *output << ": " << npy::shape_string(job.input->shape) << " " << to_string(job.dtype)
                << (opts->backward ? " (backward)" : "") << "\n";
            return 0;
          }};
}

}  // namespace mmrope::cli
