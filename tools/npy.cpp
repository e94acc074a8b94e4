// NumPy .npy reading and writing: every size a file claims is checked against the bytes it has before use.
#include "npy.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <stdexcept>
#include <system_error>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reference/error.hpp"

namespace mmrope::npy {
namespace {

constexpr std::array<std::uint8_t, 6> kMagic = {0x93, 'N', 'U', 'M', 'P', 'Y'};
constexpr std::size_t kAlignment = 64;  // numpy >= 1.14 pads the header so the data starts 64-byte aligned

struct TypeInfo {
  ElementType type;
  char kind;  // the descr's kind letter
  std::size_t size;
  std::string_view name;
};
constexpr std::array<TypeInfo, 7> kTypes = {{
    {ElementType::float16, 'f', 2, "float16"},
    {ElementType::float32, 'f', 4, "float32"},
    {ElementType::float64, 'f', 8, "float64"},
    {ElementType::uint16, 'u', 2, "uint16"},
    {ElementType::int16, 'i', 2, "int16"},
    {ElementType::int32, 'i', 4, "int32"},
    {ElementType::int64, 'i', 8, "int64"},
}};
constexpr std::string_view kSupportedDescrs = "<f2 <f4 <f8 <u2 <i2 <i4 <i8, or '>' for big endian";

const TypeInfo& info(ElementType t) {
  for (const auto& i : kTypes)
    if (i.type == t) return i;
  throw std::logic_error("npy: unknown ElementType");
}

std::uint64_t load_le(const std::uint8_t* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t k = 0; k < n; ++k) v |= std::uint64_t{p[k]} << (8 * k);
  return v;
}

void store_le(std::uint8_t* p, std::uint64_t v, std::size_t n) {
  for (std::size_t k = 0; k < n; ++k) p[k] = static_cast<std::uint8_t>(v >> (8 * k));
}

// What the fixed-size preamble says: the version and where the header and the data lie.
struct Preamble {
  int major = 0;
  std::size_t header_offset = 0;
  std::size_t header_length = 0;
  std::uint64_t data_offset = 0;
};

// `head` holds the file's first bytes (up to 12, fewer only when the file is that short).
Preamble parse_preamble(std::span<const std::uint8_t> head, std::uint64_t file_size, const std::string& name) {
  if (head.size() < kMagic.size() || !std::equal(kMagic.begin(), kMagic.end(), head.begin()))
    throw Error(name + ": not a .npy file (bad magic: it must start with \\x93NUMPY)");
  if (head.size() < 8) throw Error(name + ": truncated header: the file ends inside the version bytes");
  Preamble p;
  p.major = head[6];
  const int minor = head[7];
  if (p.major < 1 || p.major > 3 || minor != 0)
    throw Error(name + ": unsupported .npy version " + std::to_string(p.major) + "." + std::to_string(minor) +
                " (supported: 1.0, 2.0, 3.0)");
  const std::size_t field = p.major == 1 ? 2 : 4;  // 2.0 widened the header length to 4 bytes
  p.header_offset = 8 + field;
  if (head.size() < p.header_offset)
    throw Error(name + ": truncated header: the file ends inside the header length field");
  p.header_length = static_cast<std::size_t>(load_le(head.data() + 8, field));
  if (p.header_length > kMaxHeaderBytes)
    throw Error(name + ": header length " + std::to_string(p.header_length) + " exceeds the limit of " +
                std::to_string(kMaxHeaderBytes) + " bytes");
  p.data_offset = p.header_offset + std::uint64_t{p.header_length};
  if (p.data_offset > file_size)
    throw Error(name + ": header length " + std::to_string(p.header_length) + " goes beyond the end of the file (" +
                std::to_string(file_size) + " bytes)");
  return p;
}

struct Header {
  ElementType type = ElementType::float32;
  bool big_endian = false;
  bool fortran_order = false;
  std::vector<std::int64_t> shape;
};

// A strict parser for the one Python literal numpy writes:
//   {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
// Keys and strings in single or double quotes without escapes, True/False, a tuple of non-negative integers
// (Python 2's 3L accepted); exactly the three keys, each once; whitespace anywhere between tokens.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& name) : s_(text), name_(name) {}

  Header parse() {
    for (std::size_t i = 0; i < s_.size(); ++i) {
      const auto c = static_cast<unsigned char>(s_[i]);
      if (c >= 0x80 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t')) {
        p_ = i;
        fail("byte " + std::to_string(c) + " is not printable ASCII");
      }
    }
    Header h;
    bool seen_descr = false, seen_order = false, seen_shape = false;
    expect('{', "'{' opening the header dict");
    while (true) {
      skip_space();
      if (peek() == '}') break;
      const std::size_t key_at = p_;
      const std::string key = string_literal("a quoted key");
      expect(':', "':' after key '" + key + "'");
      skip_space();
      if (key == "descr") {
        mark_once(seen_descr, key, key_at);
        if (peek() != '\'' && peek() != '"') fail("'descr' must be a string (structured dtypes are not supported)");
        const std::size_t at = p_;
        parse_descr(string_literal("the descr string"), h, at);
      } else if (key == "fortran_order") {
        mark_once(seen_order, key, key_at);
        h.fortran_order = boolean();
      } else if (key == "shape") {
        mark_once(seen_shape, key, key_at);
        h.shape = shape_tuple();
      } else {
        p_ = key_at;
        fail("unexpected key " + quoted_prefix(key) + " (a .npy header has exactly 'descr', 'fortran_order' and 'shape')");
      }
      skip_space();
      if (peek() == ',') {
        ++p_;
        continue;
      }
      if (peek() == '}') break;
      fail("expected ',' or '}' after the value of " + quoted_prefix(key));
    }
    ++p_;  // the '}'
    skip_space();
    if (p_ != s_.size()) fail("unexpected characters after the header dict");
    if (!seen_descr) throw Error(name_ + ": header has no 'descr' key");
    if (!seen_order) throw Error(name_ + ": header has no 'fortran_order' key");
    if (!seen_shape) throw Error(name_ + ": header has no 'shape' key");
    return h;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(name_ + ": malformed header: " + what + " (at header byte " + std::to_string(p_) + ")");
  }
  char peek() const { return p_ < s_.size() ? s_[p_] : '\0'; }
  void skip_space() {
    while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\t' || s_[p_] == '\n' || s_[p_] == '\r')) ++p_;
  }
  void expect(char c, const std::string& what) {
    skip_space();
    if (peek() != c) fail("expected " + what);
    ++p_;
  }
  void mark_once(bool& seen, const std::string& key, std::size_t at) {
    if (seen) {
      p_ = at;
      fail("duplicate key " + quoted_prefix(key));
    }
    seen = true;
  }

  std::string string_literal(const std::string& what) {
    skip_space();
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail("expected " + what);
    const std::size_t start = ++p_;
    while (p_ < s_.size() && s_[p_] != quote) {
      if (s_[p_] == '\\') fail("escape sequences are not supported in header strings");
      if (s_[p_] == '\n' || s_[p_] == '\r') fail("unterminated string");
      ++p_;
    }
    if (p_ == s_.size()) fail("unterminated string");
    return std::string(s_.substr(start, p_++ - start));
  }

  bool boolean() {
    if (s_.substr(p_, 4) == "True") {
      p_ += 4;
      return true;
    }
    if (s_.substr(p_, 5) == "False") {
      p_ += 5;
      return false;
    }
    fail("'fortran_order' must be True or False");
  }

  std::int64_t dimension() {
    skip_space();
    const std::size_t start = p_;
    if (peek() == '-') {
      ++p_;
      while (p_ < s_.size() && s_[p_] >= '0' && s_[p_] <= '9') ++p_;
      throw Error(name_ + ": negative dimension " + std::string(s_.substr(start, p_ - start)) + " in 'shape'");
    }
    if (peek() < '0' || peek() > '9') fail("expected a dimension (a non-negative integer) in 'shape'");
    std::int64_t v = 0;
    bool huge = false;
    while (p_ < s_.size() && s_[p_] >= '0' && s_[p_] <= '9') {
      if (!huge) v = v * 10 + (s_[p_] - '0');
      if (v > kMaxElements) huge = true;  // stop accumulating: no overflow, whatever the digit count
      ++p_;
    }
    if (huge)
      throw Error(name_ + ": dimension " + std::string(s_.substr(start, std::min<std::size_t>(p_ - start, 40))) +
                  (p_ - start > 40 ? "..." : "") + " in 'shape' is too large (at most 2^31 elements)");
    if (peek() == 'L') ++p_;  // Python 2 numpy wrote long integers as 3L
    return v;
  }

  std::vector<std::int64_t> shape_tuple() {
    if (peek() != '(') fail("'shape' must be a tuple such as (3, 4)");
    ++p_;
    std::vector<std::int64_t> dims;
    bool trailing_comma = false;
    while (true) {
      skip_space();
      if (peek() == ')') break;
      if (dims.size() >= kMaxRank) fail("'shape' has more than 64 dimensions");
      dims.push_back(dimension());
      skip_space();
      trailing_comma = peek() == ',';
      if (trailing_comma) {
        ++p_;
        continue;
      }
      if (peek() == ')') break;
      fail("expected ',' or ')' in 'shape'");
    }
    if (dims.size() == 1 && !trailing_comma) fail("'shape' (n) is a number, not a tuple: a 1-d shape is written (n,)");
    ++p_;  // the ')'
    return dims;
  }

  void parse_descr(const std::string& d, Header& h, std::size_t at) {
    const auto unknown = [&] {
      p_ = at;
      throw Error(name_ + ": unsupported dtype descr '" + d.substr(0, 40) + "' (supported: " +
                  std::string(kSupportedDescrs) + ")");
    };
    if (d.size() != 3 || (d[0] != '<' && d[0] != '>' && d[0] != '=')) unknown();
    for (const auto& i : kTypes) {
      if (d[1] == i.kind && static_cast<std::size_t>(d[2] - '0') == i.size) {
        h.type = i.type;
        h.big_endian = d[0] == '>' || (d[0] == '=' && std::endian::native == std::endian::big);
        return;
      }
    }
    unknown();
  }

  std::string_view s_;
  const std::string& name_;
  std::size_t p_ = 0;
};

// The element count of a shape. Every dimension is bounded by kMaxElements and every partial product is
// checked before it could overflow, whether or not a dimension is zero: (2^31, 2^31, 2, 0) is refused, not 0.
std::int64_t element_count(std::span<const std::int64_t> shape, const std::string& name) {
  if (shape.size() > kMaxRank) throw Error(name + ": shape has " + std::to_string(shape.size()) + " dimensions (at most 64)");
  std::int64_t nonzero_product = 1;  // the product of the non-zero dimensions, at most kMaxElements
  bool has_zero = false;
  for (const auto d : shape) {
    if (d < 0 || d > kMaxElements) throw Error(name + ": dimension " + std::to_string(d) + " is out of range");
    if (d == 0) {
      has_zero = true;
      continue;
    }
    if (nonzero_product > kMaxElements / d)
      throw Error(name + ": shape " + shape_string(shape) + " has more than 2^31 elements");
    nonzero_product *= d;
  }
  return has_zero ? 0 : nonzero_product;
}

// The payload must be exactly shape x item size: a shorter file is truncated, a longer one is not what it says.
void check_payload_size(std::uint64_t payload, std::int64_t count, ElementType type,
                        std::span<const std::int64_t> shape, const std::string& name) {
  const std::uint64_t expected = static_cast<std::uint64_t>(count) * item_size(type);
  if (payload == expected) return;
  throw Error(name + ": data is " + std::to_string(payload) + " bytes, " + (payload < expected ? "shorter" : "longer") +
              " than shape " + shape_string(shape) + " x " + std::to_string(item_size(type)) + " bytes (" +
              std::string(to_string(type)) + ") = " + std::to_string(expected) + " bytes" +
              (payload < expected ? " (truncated file?)" : ""));
}

// Turns the file's element bytes into little-endian C order, in place of `data`.
void normalise(Array& a) {
  const std::size_t item = item_size(a.type);
  if (a.big_endian && item > 1)
    for (std::size_t off = 0; off + item <= a.data.size(); off += item) std::reverse(a.data.begin() + off, a.data.begin() + off + item);
  const std::size_t rank = a.shape.size();
  if (!a.fortran_order || rank < 2 || a.data.empty()) return;
  // Walk the C order with an odometer (last index fastest) and keep the matching Fortran offset, where the
  // first index is fastest: fortran_stride[k] = shape[0] * ... * shape[k-1].
  std::vector<std::int64_t> index(rank, 0), fortran_stride(rank, 1);
  for (std::size_t k = 1; k < rank; ++k) fortran_stride[k] = fortran_stride[k - 1] * a.shape[k - 1];
  std::vector<std::uint8_t> c_order(a.data.size());
  const std::int64_t count = a.size();
  std::int64_t f = 0;
  for (std::int64_t c = 0; c < count; ++c) {
    std::memcpy(c_order.data() + static_cast<std::size_t>(c) * item, a.data.data() + static_cast<std::size_t>(f) * item, item);
    for (std::size_t k = rank; k-- > 0;) {
      f += fortran_stride[k];
      if (++index[k] < a.shape[k]) break;
      f -= fortran_stride[k] * a.shape[k];
      index[k] = 0;
    }
  }
  a.data = std::move(c_order);
}

Array header_to_array(const Header& h, const Preamble& p, std::string name) {
  Array a;
  a.type = h.type;
  a.shape = h.shape;
  a.fortran_order = h.fortran_order;
  a.big_endian = h.big_endian;
  a.version_major = p.major;
  a.source = std::move(name);
  return a;
}

Header parse_header_bytes(std::span<const std::uint8_t> bytes, const std::string& name) {
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return HeaderParser(text, name).parse();
}

std::string io_error(const std::string& name, const std::string& what) {
  return name + ": " + what + (errno != 0 ? std::string(" (") + std::strerror(errno) + ")" : "");
}

}  // namespace

std::string_view to_string(ElementType t) { return info(t).name; }

std::string_view descr_of(ElementType t) {
  switch (t) {
    case ElementType::float16: return "<f2";
    case ElementType::float32: return "<f4";
    case ElementType::float64: return "<f8";
    case ElementType::uint16: return "<u2";
    case ElementType::int16: return "<i2";
    case ElementType::int32: return "<i4";
    case ElementType::int64: return "<i8";
  }
  throw std::logic_error("npy: unknown ElementType");
}

std::size_t item_size(ElementType t) { return info(t).size; }

bool is_floating(ElementType t) { return info(t).kind == 'f'; }

double half_to_double(std::uint16_t bits) {
  const double sign = (bits & 0x8000u) ? -1.0 : 1.0;
  const int exponent = (bits >> 10) & 0x1f;
  const int mantissa = bits & 0x3ff;
  if (exponent == 0x1f) return mantissa ? std::numeric_limits<double>::quiet_NaN() : sign * std::numeric_limits<double>::infinity();
  if (exponent == 0) return sign * std::ldexp(mantissa, -24);  // subnormal: mantissa x 2^-24
  return sign * std::ldexp(mantissa + 1024, exponent - 25);
}

std::string shape_string(std::span<const std::int64_t> shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

std::int64_t Array::size() const {
  // Arrays are built by read_npy / make_array, which check the shape; a shape changed since is checked again
  // here rather than multiplied blindly.
  return element_count(shape, source.empty() ? std::string("npy array") : source);
}

std::uint64_t Array::bits(std::int64_t i) const {
  const std::size_t item = item_size(type);
  if (i < 0 || static_cast<std::uint64_t>(i) >= data.size() / item)
    throw std::out_of_range("npy::Array: element " + std::to_string(i) + " out of range");
  return load_le(data.data() + static_cast<std::size_t>(i) * item, item);
}

double decode_value(ElementType t, std::uint64_t b) {
  switch (t) {
    case ElementType::float16: return half_to_double(static_cast<std::uint16_t>(b));
    case ElementType::float32: return std::bit_cast<float>(static_cast<std::uint32_t>(b));
    case ElementType::float64: return std::bit_cast<double>(b);
    case ElementType::uint16: return static_cast<double>(b);
    case ElementType::int16: return static_cast<std::int16_t>(static_cast<std::uint16_t>(b));
    case ElementType::int32: return static_cast<std::int32_t>(static_cast<std::uint32_t>(b));
    case ElementType::int64: return static_cast<double>(static_cast<std::int64_t>(b));  // rounds beyond 2^53
  }
  throw std::logic_error("npy: unknown ElementType");
}

double Array::value(std::int64_t i) const { return decode_value(type, bits(i)); }

std::vector<double> Array::values() const {
  std::vector<double> out(static_cast<std::size_t>(size()));
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = value(static_cast<std::int64_t>(i));
  return out;
}

Array read_npy_bytes(std::span<const std::uint8_t> bytes, std::string_view name_view) {
  const std::string name(name_view);
  const Preamble p = parse_preamble(bytes.first(std::min<std::size_t>(bytes.size(), 12)), bytes.size(), name);
  const Header h = parse_header_bytes(bytes.subspan(p.header_offset, p.header_length), name);
  const std::int64_t count = element_count(h.shape, name);
  const auto payload = bytes.subspan(static_cast<std::size_t>(p.data_offset));
  check_payload_size(payload.size(), count, h.type, h.shape, name);
  Array a = header_to_array(h, p, name);
  a.data.assign(payload.begin(), payload.end());
  normalise(a);
  return a;
}

Array read_npy(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw Error(name + ": no such file (or not a regular file)");
  const std::uint64_t file_size = std::filesystem::file_size(path, ec);
  if (ec) throw Error(name + ": cannot read its size (" + ec.message() + ")");
  std::ifstream in(path, std::ios::binary);
  errno = 0;
  if (!in) throw Error(io_error(name, "cannot open"));
  const auto read_exactly = [&](std::uint8_t* dst, std::uint64_t n) {
    in.read(reinterpret_cast<char*>(dst), static_cast<std::streamsize>(n));
    if (static_cast<std::uint64_t>(in.gcount()) != n) throw Error(io_error(name, "read failed (file changed while reading?)"));
  };
  std::array<std::uint8_t, 12> head{};
  const std::size_t head_size = static_cast<std::size_t>(std::min<std::uint64_t>(file_size, head.size()));
  read_exactly(head.data(), head_size);
  const Preamble p = parse_preamble(std::span(head.data(), head_size), file_size, name);
  // Sizes below come from the file but were checked against file_size: nothing is allocated beyond it.
  std::vector<std::uint8_t> header(p.header_length);
  in.seekg(static_cast<std::streamoff>(p.header_offset));
  read_exactly(header.data(), header.size());
  const Header h = parse_header_bytes(header, name);
  const std::int64_t count = element_count(h.shape, name);
  check_payload_size(file_size - p.data_offset, count, h.type, h.shape, name);
  Array a = header_to_array(h, p, name);
  a.data.resize(static_cast<std::size_t>(file_size - p.data_offset));
  read_exactly(a.data.data(), a.data.size());
  normalise(a);
  return a;
}

Array make_array(ElementType type, std::vector<std::int64_t> shape, std::vector<std::uint8_t> bytes) {
  for (const auto d : shape)
    if (d < 0 || d > kMaxElements) throw Error("npy array: dimension " + std::to_string(d) + " is out of range");
  const std::int64_t count = element_count(shape, "npy array");
  check_payload_size(bytes.size(), count, type, shape, "npy array");
  Array a;
  a.type = type;
  a.shape = std::move(shape);
  a.data = std::move(bytes);
  return a;
}

namespace {
template <class T, class Bits>
Array make_typed(ElementType type, std::vector<std::int64_t> shape, std::span<const T> values) {
  std::vector<std::uint8_t> bytes(values.size() * sizeof(T));
  for (std::size_t i = 0; i < values.size(); ++i) store_le(bytes.data() + i * sizeof(T), std::bit_cast<Bits>(values[i]), sizeof(T));
  return make_array(type, std::move(shape), std::move(bytes));
}
}  // namespace

Array make_array(std::vector<std::int64_t> shape, std::span<const float> values) {
  return make_typed<float, std::uint32_t>(ElementType::float32, std::move(shape), values);
}
Array make_array(std::vector<std::int64_t> shape, std::span<const double> values) {
  return make_typed<double, std::uint64_t>(ElementType::float64, std::move(shape), values);
}
Array make_array(std::vector<std::int64_t> shape, std::span<const std::int32_t> values) {
  return make_typed<std::int32_t, std::uint32_t>(ElementType::int32, std::move(shape), values);
}
Array make_array(std::vector<std::int64_t> shape, std::span<const std::int64_t> values) {
  return make_typed<std::int64_t, std::uint64_t>(ElementType::int64, std::move(shape), values);
}
Array make_array(ElementType type, std::vector<std::int64_t> shape, std::span<const std::uint16_t> bits) {
  if (item_size(type) != 2) throw Error("npy array: 16-bit patterns given for " + std::string(to_string(type)));
  return make_typed<std::uint16_t, std::uint16_t>(type, std::move(shape), bits);
}

std::vector<std::uint8_t> encode_npy_header(ElementType type, std::span<const std::int64_t> shape) {
  (void)element_count(shape, "npy array");
  std::string header = "{'descr': '" + std::string(descr_of(type)) +
                       "', 'fortran_order': False, 'shape': " + shape_string(shape) + ", }";
  // Version 1.0 always suffices: at most 64 dimensions of at most 10 digits keep the header under 1 KiB,
  // far below the 65535 bytes its 2-byte length field can say (2.0 exists for huge structured dtypes).
  const int major = 1;
  const std::size_t preamble = 10;
  // numpy pads with spaces and ends with '\n' so that preamble + header is a multiple of the alignment.
  header.resize(header.size() + (kAlignment - (preamble + header.size() + 1) % kAlignment) % kAlignment, ' ');
  header += '\n';
  std::vector<std::uint8_t> out(kMagic.begin(), kMagic.end());
  out.push_back(static_cast<std::uint8_t>(major));
  out.push_back(0);
  out.resize(preamble);
  store_le(out.data() + 8, header.size(), preamble - 8);
  out.insert(out.end(), header.begin(), header.end());
  return out;
}

std::vector<std::uint8_t> encode_npy(const Array& array) {
  const std::int64_t count = element_count(array.shape, "npy array");
  check_payload_size(array.data.size(), count, array.type, array.shape, "npy array");
  std::vector<std::uint8_t> out = encode_npy_header(array.type, array.shape);
  out.insert(out.end(), array.data.begin(), array.data.end());
  return out;
}

void write_npy(const std::filesystem::path& path, const Array& array) {
  const std::vector<std::uint8_t> bytes = encode_npy(array);
  const std::string name = path.string();
  errno = 0;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(io_error(name, "cannot open for writing"));
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw Error(io_error(name, "write failed"));
}

void write_npy(const std::filesystem::path& path, ElementType type, std::span<const std::int64_t> shape,
               std::span<const std::uint8_t> little_endian_bytes) {
  write_npy(path, make_array(type, std::vector<std::int64_t>(shape.begin(), shape.end()),
                             std::vector<std::uint8_t>(little_endian_bytes.begin(), little_endian_bytes.end())));
}

MappedArray::MappedArray(const std::filesystem::path& path) {
  const std::string name = path.string();
  source = name;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw Error(name + ": no such file (or not a regular file)");
  errno = 0;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(io_error(name, "cannot open"));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    throw Error(io_error(name, "cannot read its size"));
  }
  const auto file_size = static_cast<std::uint64_t>(st.st_size);
  if (file_size > 0) {
    // Files up to 1 GiB are read in at once (MAP_POPULATE: no page faults in the worker threads); larger
    // ones page in on demand, so a file larger than memory still streams.
    const int populate = file_size <= (std::uint64_t{1} << 30) ? MAP_POPULATE : 0;
    mapping_ = ::mmap(nullptr, static_cast<std::size_t>(file_size), PROT_READ, MAP_PRIVATE | populate, fd, 0);
    if (mapping_ == MAP_FAILED) {
      mapping_ = nullptr;
      ::close(fd);
      throw Error(io_error(name, "cannot map"));
    }
    mapping_size_ = static_cast<std::size_t>(file_size);
  }
  ::close(fd);
  const std::span<const std::uint8_t> bytes(static_cast<const std::uint8_t*>(mapping_), mapping_size_);
  try {
    const Preamble p = parse_preamble(bytes.first(std::min<std::size_t>(bytes.size(), 12)), bytes.size(), name);
    const Header h = parse_header_bytes(bytes.subspan(p.header_offset, p.header_length), name);
    count_ = element_count(h.shape, name);
    check_payload_size(file_size - p.data_offset, count_, h.type, h.shape, name);
    type = h.type;
    shape = h.shape;
    fortran_order = h.fortran_order && shape.size() >= 2;
    big_endian = h.big_endian;
    data_ = bytes.data() + p.data_offset;
    if (mapping_) ::madvise(mapping_, mapping_size_, MADV_SEQUENTIAL);
  } catch (...) {
    if (mapping_) ::munmap(mapping_, mapping_size_);
    mapping_ = nullptr;
    throw;
  }
}

MappedArray::MappedArray(ElementType t, std::vector<std::int64_t> s, const void* data, std::string name) {
  source = std::move(name);
  count_ = element_count(s, source);
  type = t;
  shape = std::move(s);
  data_ = static_cast<const std::uint8_t*>(data);
  if (!data_ && count_ > 0) throw Error(source + ": no data");
}

MappedArray::~MappedArray() {
  if (mapping_) ::munmap(mapping_, mapping_size_);
}

std::size_t MappedArray::offset_of(std::int64_t c) const {
  if (!fortran_order) return static_cast<std::size_t>(c);
  // C order: the last index fastest; Fortran order: the first index fastest.
  std::int64_t offset = 0, stride = 1;
  std::vector<std::int64_t> index(shape.size());
  for (std::size_t k = shape.size(); k-- > 0;) {
    index[k] = c % shape[k];
    c /= shape[k];
  }
  for (std::size_t k = 0; k < shape.size(); ++k) {
    offset += index[k] * stride;
    stride *= shape[k];
  }
  return static_cast<std::size_t>(offset);
}

std::uint64_t MappedArray::bits(std::int64_t i) const {
  if (i < 0 || i >= count_) throw std::out_of_range("npy::MappedArray: element " + std::to_string(i) + " out of range");
  const std::size_t item = item_size(type);
  const std::uint8_t* p = data_ + offset_of(i) * item;
  if (!big_endian) return load_le(p, item);
  std::uint64_t v = 0;
  for (std::size_t k = 0; k < item; ++k) v = (v << 8) | p[k];
  return v;
}

double MappedArray::value(std::int64_t i) const { return decode_value(type, bits(i)); }

void MappedArray::read_values(std::int64_t first, std::span<double> out) const {
  if (first < 0 || static_cast<std::uint64_t>(first) + out.size() > static_cast<std::uint64_t>(count_))
    throw std::out_of_range("npy::MappedArray: elements past the end");
  const auto n = static_cast<std::int64_t>(out.size());
  if (!fortran_order && !big_endian && type == ElementType::float32) {
    for (std::int64_t k = 0; k < n; ++k) {
      float v;
      std::memcpy(&v, data_ + static_cast<std::size_t>(first + k) * 4, 4);
      out[k] = v;
    }
    return;
  }
  for (std::int64_t k = 0; k < n; ++k) out[k] = value(first + k);
}

void MappedArray::read_bits(std::int64_t first, std::span<std::uint32_t> out) const {
  if (first < 0 || static_cast<std::uint64_t>(first) + out.size() > static_cast<std::uint64_t>(count_))
    throw std::out_of_range("npy::MappedArray: elements past the end");
  const std::size_t item = item_size(type);
  if (std::endian::native == std::endian::little && !fortran_order && !big_endian && (item == 2 || item == 4)) {  // kernel dumps: direct
    const std::uint8_t* p = data_ + static_cast<std::size_t>(first) * item;
    for (std::size_t k = 0; k < out.size(); ++k) {
      if (item == 2) {
        std::uint16_t v;
        std::memcpy(&v, p + k * 2, 2);
        out[k] = v;
      } else {
        std::memcpy(&out[k], p + k * 4, 4);
      }
    }
    return;
  }
  for (std::size_t k = 0; k < out.size(); ++k) out[k] = static_cast<std::uint32_t>(bits(first + static_cast<std::int64_t>(k)));
}

NpyWriter::NpyWriter(const std::filesystem::path& path, ElementType type, std::span<const std::int64_t> shape)
    : name_(path.string()), item_(item_size(type)) {
  const std::vector<std::uint8_t> header = encode_npy_header(type, shape);
  const std::int64_t count = element_count(shape, name_);
  errno = 0;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error(io_error(name_, "cannot open for writing"));
  data_offset_ = header.size();
  write_at(0, header);
  if (::ftruncate(fd_, static_cast<off_t>(data_offset_ + static_cast<std::uint64_t>(count) * item_)) != 0) {
    ::close(fd_);
    throw Error(io_error(name_, "cannot size the file"));
  }
}

NpyWriter::~NpyWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void NpyWriter::write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      throw Error(io_error(name_, "write failed"));
    }
    done += static_cast<std::size_t>(n);
  }
}

void NpyWriter::write(std::int64_t first, std::span<const std::uint8_t> little_endian_bytes) {
  write_at(data_offset_ + static_cast<std::uint64_t>(first) * item_, little_endian_bytes);
}

void NpyWriter::close() {
  if (fd_ < 0) return;
  const int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) throw Error(io_error(name_, "write failed"));
}

}  // namespace mmrope::npy
