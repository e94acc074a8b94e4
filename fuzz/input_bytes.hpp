// The kernel harnesses' reading of their input: integers in a range from as few bytes as the range needs.
// (FuzzedDataProvider comes with clang only; the corpus replay builds with g++ too.)
#pragma once

#include <cstddef>
#include <cstdint>

namespace mmrope::fuzz {

class InputBytes {
 public:
  InputBytes(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  // An integer in [lo, hi]: the next ceil(log256(hi - lo + 1)) bytes, little endian, modulo the range size.
  // Missing bytes read as 0, so a short input picks the smallest choices.
  std::int64_t pick(std::int64_t lo, std::int64_t hi) {
    const std::uint64_t range = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);  // size - 1
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64 && (range >> shift) != 0; shift += 8) v |= static_cast<std::uint64_t>(next()) << shift;
    return range == UINT64_MAX ? static_cast<std::int64_t>(v) : static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + v % (range + 1));
  }
  std::uint64_t u64() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 8) v |= static_cast<std::uint64_t>(next()) << shift;
    return v;
  }

 private:
  std::uint8_t next() { return pos_ < size_ ? data_[pos_++] : 0; }
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

}  // namespace mmrope::fuzz
