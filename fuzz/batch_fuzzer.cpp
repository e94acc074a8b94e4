// libFuzzer harness: assign_batch over several fuzzed layouts with fuzzed padding, convention and pad length.
//
// Input: byte 0 picks a design; byte 1 the side (bit 0), the convention (bit 1) and whether pad_to is
// given (bit 2); then text: the first line is pad_to (any integer text), each further line a layout.
// Any mmrope::Error is an accepted outcome; a crash, a sanitizer report, a hang, another exception type,
// a batch past kMaxTokensPerBatch, or rows not all padded_length long is a bug.
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "reference/batch.hpp"
#include "reference/designs/registry.hpp"
#include "reference/layout_spec.hpp"

namespace {

// Batches within the caps are materialised slot by slot; the fuzzer gains nothing from big ones but time,
// so legitimate batches above this are skipped. Batches past the caps are still run: they must be refused
// before anything is allocated (if not, the fuzzer sees the memory blow up).
constexpr std::int64_t kMaxFuzzSlots = 1 << 12;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2 || size > 4096) return 0;
  const auto& registry = mmrope::design_registry();
  const auto& entry = registry[data[0] % registry.size()];
  const auto side = data[1] & 1 ? mmrope::PaddingSide::left : mmrope::PaddingSide::right;
  const auto convention = data[1] & 2 ? mmrope::PaddingConvention::transformers5 : mmrope::PaddingConvention::transformers4;
  std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    lines.push_back(text.substr(0, eol));
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
  }
  if (lines.empty()) return 0;
  std::optional<std::int64_t> pad_to;
  if (data[1] & 4) {
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(lines[0].data(), lines[0].data() + lines[0].size(), v);
    if (ec != std::errc()) return 0;
    pad_to = v;
  }
  try {
    const auto design = mmrope::make_design(entry.name, {});
    std::vector<mmrope::Sequence> sequences;
    std::int64_t longest = 0;
    for (std::size_t i = 1; i < lines.size(); ++i) {
      sequences.push_back(mmrope::parse_layout(lines[i]));
      longest = std::max(longest, design->token_total(sequences.back()));
    }
    const std::int64_t length = std::max(longest, pad_to.value_or(0));
    const bool within_caps = length <= mmrope::kMaxTokensPerSequence &&
                             static_cast<double>(length) * static_cast<double>(sequences.size()) <= mmrope::kMaxTokensPerBatch;
    if (within_caps && length * static_cast<std::int64_t>(sequences.size()) > kMaxFuzzSlots) return 0;
    const auto batch = mmrope::assign_batch(*design, sequences, side, convention, pad_to);
    if (!within_caps) __builtin_trap();  // accepted a batch past the caps
    if (batch.padded_length * static_cast<std::int64_t>(batch.rows.size()) > mmrope::kMaxTokensPerBatch) __builtin_trap();
    for (const auto& row : batch.rows)
      if (static_cast<std::int64_t>(row.tokens.size()) != batch.padded_length) __builtin_trap();
  } catch (const mmrope::Error&) {
  }
  return 0;
}
