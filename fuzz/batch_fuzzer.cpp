// libFuzzer harness: assign_batch over several fuzzed layouts with fuzzed padding, convention and pad length.
//
// Input: fuzz/batch_input.hpp (a design, padding side, convention and pad_to, then layouts as lines).
// Any mmrope::Error is an accepted outcome; a crash, a sanitizer report, a hang, another exception type,
// a batch past kMaxTokensPerBatch, or rows not all padded_length long is a bug.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "batch_input.hpp"
#include "reference/batch.hpp"
#include "reference/layout_spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto input = mmrope::fuzzing::parse_batch_input(data, size);
  if (!input) return 0;
  const auto side = input->side;
  const auto convention = input->convention;
  const auto pad_to = input->pad_to;
  try {
    const mmrope::fuzzing::ParsedBatch parsed = mmrope::fuzzing::parse_batch(*input);
    // Batches past the caps are still run: they must be refused before anything is allocated (if not, the
    // fuzzer sees the memory blow up).
    if (parsed.too_big_to_fuzz()) return 0;
    const auto batch = mmrope::assign_batch(*parsed.design, parsed.sequences, side, convention, pad_to);
    if (!parsed.within_caps()) __builtin_trap();  // accepted a batch past the caps
    if (batch.padded_length * static_cast<std::int64_t>(batch.rows.size()) > mmrope::kMaxTokensPerBatch) __builtin_trap();
    for (const auto& row : batch.rows)
      if (static_cast<std::int64_t>(row.tokens.size()) != batch.padded_length) __builtin_trap();
  } catch (const mmrope::Error&) {
  }
  return 0;
}
