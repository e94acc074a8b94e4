// libFuzzer harness: untrusted .npy bytes as positions for an input of fuzzed batch and token counts.
//
// Input: byte 0 picks the kind (auto, 1d, thw), bytes 1-2 the batch (1..8) and tokens (0..63), the rest
// is the .npy file. Any mmrope::Error is an accepted outcome; a crash, a sanitizer report, a hang,
// another exception type, or accepted positions of the wrong size or outside the reference's range is a bug.
#include <cstddef>
#include <cstdint>
#include <span>

#include "positions_file.hpp"
#include "reference/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  using mmrope::cli::PositionsKind;
  const PositionsKind kinds[] = {PositionsKind::automatic, PositionsKind::one_d, PositionsKind::thw};
  const PositionsKind kind = kinds[data[0] % 3];
  const int batch = 1 + data[1] % 8;
  const int tokens = data[2] % 64;
  try {
    const auto array = mmrope::npy::read_npy_bytes(std::span(data + 3, size - 3), "fuzz.npy");
    const auto rows = mmrope::cli::positions_from_array(array, batch, tokens, kind, "fuzz.npy");
    if (rows.size() != static_cast<std::size_t>(batch)) __builtin_trap();
    for (const auto& row : rows) {
      if (row.size() != static_cast<std::size_t>(tokens)) __builtin_trap();
      for (const auto& p : row)
        for (auto axis : mmrope::kAxes)
          if (!p[axis].fits_int64()) __builtin_trap();  // the reference's proven range
    }
  } catch (const mmrope::Error&) {
  }
  return 0;
}
