// libFuzzer harness: untrusted bytes through the .npy reader, every element read, and a write/read round trip.
//
// Any mmrope::Error is an accepted outcome; a crash, a sanitizer report, a hang, another exception type, or an
// accepted array that does not survive encode_npy -> read_npy_bytes unchanged is a bug.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>

#include "npy.hpp"
#include "reference/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace npy = mmrope::npy;
  npy::Array a;
  try {
    a = npy::read_npy_bytes(std::span(data, size), "fuzz.npy");
  } catch (const mmrope::Error&) {
    return 0;
  }
  const std::int64_t n = a.size();
  if (a.data.size() != static_cast<std::size_t>(n) * npy::item_size(a.type)) __builtin_trap();
  std::uint64_t mix = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double v = a.value(i);
    mix ^= a.bits(i);
    if (!npy::is_floating(a.type) && std::isnan(v)) __builtin_trap();  // integers never decode to NaN
  }
  const npy::Array back = npy::read_npy_bytes(npy::encode_npy(a), "roundtrip.npy");  // must not throw
  if (back.type != a.type || back.shape != a.shape || back.data != a.data || back.fortran_order || back.big_endian)
    __builtin_trap();
  if (mix == 0x5eed5eed5eed5eedULL && n < 0) __builtin_trap();  // never true: keeps the reads alive
  return 0;
}
