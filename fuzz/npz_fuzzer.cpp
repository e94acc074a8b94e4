// libFuzzer harness: untrusted bytes through the .npz reader (libzip), every key of get_rope_index asked for.
//
// Any mmrope::Error is an accepted outcome; a crash, a sanitizer report, a hang, another exception type, or an
// accepted archive whose arrays do not survive an encode_npy -> read_npy_bytes round trip is a bug.
#include <cstddef>
#include <cstdint>
#include <span>

#include "hf_inputs.hpp"
#include "npz.hpp"
#include "reference/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace npy = mmrope::npy;
  mmrope::npz::Archive a;
  try {
    a = mmrope::npz::read_npz_bytes(std::span(data, size), "fuzz.npz", mmrope::cli::kHfInputKeys);
  } catch (const mmrope::Error&) {
    return 0;
  }
  if (a.arrays.size() > a.keys.size()) __builtin_trap();
  for (const auto& [key, array] : a.arrays) {
    bool listed = false;
    for (const auto& k : a.keys) listed = listed || k == key;
    if (!listed) __builtin_trap();
    const npy::Array back = npy::read_npy_bytes(npy::encode_npy(array), "roundtrip.npy");  // must not throw
    if (back.type != array.type || back.shape != array.shape || back.data != array.data) __builtin_trap();
  }
  return 0;
}
