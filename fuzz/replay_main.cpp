// Replays fuzz corpora without libFuzzer: runs LLVMFuzzerTestOneInput on every file under the given paths.
#include <cstdint>
#include <cstdio>
#include <vector>

#include "corpus_files.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  std::size_t replayed = 0;
  for (const auto& f : mmrope::fuzz::corpus_files(argc, argv)) {
    const std::vector<std::uint8_t> bytes = mmrope::fuzz::file_bytes(f);
    LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
    ++replayed;
  }
  std::printf("replayed %zu inputs\n", replayed);
  return replayed == 0 ? 1 : 0;  // an empty corpus would make the replay test pass vacuously
}
