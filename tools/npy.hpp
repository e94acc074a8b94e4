// NumPy .npy files as untrusted input: a strict reader (versions 1-3, either byte order, C or Fortran order) and a writer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mmrope::npy {

// The element types a kernel dump uses. bf16 has no NumPy dtype: it travels as its 16-bit patterns,
// uint16 (or int16, which is what `tensor.view(torch.int16).numpy()` gives).
enum class ElementType { float16, float32, float64, uint16, int16, int32, int64 };

std::string_view to_string(ElementType t);        // "float16", "float32", ...
std::string_view descr_of(ElementType t);         // the little-endian descr: "<f2", "<f4", ...
std::size_t item_size(ElementType t);             // bytes per element
bool is_floating(ElementType t);                  // float16, float32, float64

// Limits on what a file may claim, checked before anything is allocated from it.
inline constexpr std::int64_t kMaxElements = std::int64_t{1} << 31;  // the kernel contract's position range
inline constexpr std::size_t kMaxRank = 64;  // numpy's NPY_MAXDIMS
inline constexpr std::size_t kMaxHeaderBytes = std::size_t{1} << 20;  // numpy writes < 1 KiB for these dtypes

// A loaded array, normalised: `data` holds the elements little-endian in C (row-major) order, whatever the
// file's byte order and memory order were; `fortran_order` and `big_endian` say what the file had.
struct Array {
  ElementType type = ElementType::float32;
  std::vector<std::int64_t> shape;  // () for a 0-d array, which holds one element
  bool fortran_order = false;
  bool big_endian = false;
  int version_major = 1;
  std::vector<std::uint8_t> data;
  std::string source;  // the file name, for messages

  std::int64_t size() const;  // the number of elements (the product of shape)
  // Element i in C order: its value (float16 decoded exactly; integers, and 16-bit bf16 patterns, as integers)
  // and its raw bit pattern, zero-extended. i must be in [0, size()).
  double value(std::int64_t i) const;
  std::uint64_t bits(std::int64_t i) const;
  std::vector<double> values() const;  // every element, C order
};

// A .npy file read in place: the header checked exactly as read_npy checks it (a header that promises more
// data than the file holds is an error before any work), the data memory-mapped and read on demand, so a
// tensor larger than memory streams instead of being copied. Reads are safe from several threads.
class MappedArray {
 public:
  explicit MappedArray(const std::filesystem::path& path);
  // A view of elements already in memory (little-endian, C order), named `source` in messages: nothing is
  // copied, and the caller keeps `data` alive and unchanged while the view is used (the Python module's arrays).
  MappedArray(ElementType type, std::vector<std::int64_t> shape, const void* data, std::string source);
  ~MappedArray();
  MappedArray(const MappedArray&) = delete;
  MappedArray& operator=(const MappedArray&) = delete;

  ElementType type = ElementType::float32;
  std::vector<std::int64_t> shape;
  bool fortran_order = false;
  bool big_endian = false;
  std::string source;

  std::int64_t size() const { return count_; }
  // Element i in C order, as Array::bits and Array::value give it.
  std::uint64_t bits(std::int64_t i) const;
  double value(std::int64_t i) const;
  // Elements [first, first + out.size()) in C order.
  void read_values(std::int64_t first, std::span<double> out) const;
  void read_bits(std::int64_t first, std::span<std::uint32_t> out) const;  // the low 32 bits of each pattern

 private:
  std::size_t offset_of(std::int64_t c_index) const;  // element offset in the file's order
  const std::uint8_t* data_ = nullptr;
  void* mapping_ = nullptr;
  std::size_t mapping_size_ = 0;
  std::int64_t count_ = 0;
};

// The value of an element of type t from its little-endian bit pattern (as Array::value).
double decode_value(ElementType t, std::uint64_t bits);

// The exact value of an IEEE binary16 bit pattern (every half is a double exactly).
double half_to_double(std::uint16_t bits);

// "(3, 4)", "(5,)", "()": a shape as NumPy prints it.
std::string shape_string(std::span<const std::int64_t> shape);

// Reads a .npy file. Every problem (unreadable file, bad magic, unsupported version or dtype, malformed header,
// a size that does not match the shape) throws mmrope::Error whose message starts with the file name.
Array read_npy(const std::filesystem::path& path);
// The same for bytes in memory; `name` stands for the file in messages.
Array read_npy_bytes(std::span<const std::uint8_t> bytes, std::string_view name);

// An array of the given type and shape over little-endian C-order bytes; throws mmrope::Error when the
// byte count is not shape x item size or the shape is out of range.
Array make_array(ElementType type, std::vector<std::int64_t> shape, std::vector<std::uint8_t> bytes);
Array make_array(std::vector<std::int64_t> shape, std::span<const float> values);         // float32
Array make_array(std::vector<std::int64_t> shape, std::span<const double> values);        // float64
Array make_array(std::vector<std::int64_t> shape, std::span<const std::int32_t> values);  // int32
Array make_array(std::vector<std::int64_t> shape, std::span<const std::int64_t> values);  // int64
// float16, uint16 or int16 from 16-bit patterns (bf16 data goes as uint16).
Array make_array(ElementType type, std::vector<std::int64_t> shape, std::span<const std::uint16_t> bits);

// The bytes of a .npy file: version 1.0 (its header always fits: at most 64 dimensions), little-endian,
// C order, header padded so the data starts 64-byte aligned, as numpy.save writes it.
std::vector<std::uint8_t> encode_npy(const Array& array);
void write_npy(const std::filesystem::path& path, const Array& array);
// The header bytes encode_npy writes before the data of a C-order little-endian array.
std::vector<std::uint8_t> encode_npy_header(ElementType type, std::span<const std::int64_t> shape);

// Writes a .npy file in pieces, from several threads at once (pwrite): the header first, then elements at
// any offsets. close() reports a failed write; the destructor closes quietly.
class NpyWriter {
 public:
  NpyWriter(const std::filesystem::path& path, ElementType type, std::span<const std::int64_t> shape);
  ~NpyWriter();
  NpyWriter(const NpyWriter&) = delete;
  NpyWriter& operator=(const NpyWriter&) = delete;
  // Elements [first, first + bytes / item size), little-endian.
  void write(std::int64_t first, std::span<const std::uint8_t> little_endian_bytes);
  void close();

 private:
  void write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes);
  std::string name_;
  std::size_t item_;
  int fd_ = -1;
  std::uint64_t data_offset_ = 0;
};
void write_npy(const std::filesystem::path& path, ElementType type, std::span<const std::int64_t> shape,
               std::span<const std::uint8_t> little_endian_bytes);

}  // namespace mmrope::npy
