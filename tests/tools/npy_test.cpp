// The .npy reader and writer: round trips, files numpy wrote, hand-built headers, and every malformed case.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "npy.hpp"
#include "reference/error.hpp"

namespace mmrope::npy {
namespace {

using namespace std::string_literals;

const std::filesystem::path kData = std::filesystem::path(MMROPE_SOURCE_DIR) / "tests/tools/data";

std::vector<std::uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

std::vector<std::uint8_t> file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A .npy file by hand: magic, version, the header length field (2 bytes for 1.x, 4 for 2.x/3.x), header, payload.
std::vector<std::uint8_t> npy_file(int major, const std::string& header, const std::vector<std::uint8_t>& payload = {}) {
  std::vector<std::uint8_t> f = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<std::uint8_t>(major), 0};
  const std::size_t field = major == 1 ? 2 : 4;
  for (std::size_t k = 0; k < field; ++k) f.push_back(static_cast<std::uint8_t>(header.size() >> (8 * k)));
  f.insert(f.end(), header.begin(), header.end());
  f.insert(f.end(), payload.begin(), payload.end());
  return f;
}

std::string dict(const std::string& descr, bool fortran, const std::string& shape) {
  return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }\n";
}

// Values as bytes in a given byte order.
template <class T>
std::vector<std::uint8_t> raw(const std::vector<T>& values, bool big_endian) {
  std::vector<std::uint8_t> out;
  for (const T& v : values) {
    std::uint64_t bits = 0;
    if constexpr (sizeof(T) == 8) bits = std::bit_cast<std::uint64_t>(v);
    else if constexpr (sizeof(T) == 4) bits = std::bit_cast<std::uint32_t>(v);
    else bits = std::bit_cast<std::uint16_t>(v);
    for (std::size_t k = 0; k < sizeof(T); ++k) {
      const std::size_t byte = big_endian ? sizeof(T) - 1 - k : k;
      out.push_back(static_cast<std::uint8_t>(bits >> (8 * byte)));
    }
  }
  return out;
}

// Expects read_npy_bytes to throw an Error naming the file and containing `needle`.
void expect_error(const std::vector<std::uint8_t>& file, const std::string& needle) {
  try {
    read_npy_bytes(file, "dump.npy");
    ADD_FAILURE() << "accepted; expected an error containing: " << needle;
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind("dump.npy: ", 0), 0u) << msg;
    EXPECT_NE(msg.find(needle), std::string::npos) << "message: " << msg << "\nexpected to contain: " << needle;
  }
}

class NpyFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("mmrope_npy_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

void expect_same(const Array& a, const Array& b) {
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.shape, b.shape);
  EXPECT_EQ(a.data, b.data);
}

// ---- round trips -------------------------------------------------------------------------------------------

TEST(NpyRoundTrip, EveryElementTypeThroughBytes) {
  const std::vector<float> f32 = {1.5f, -0.0f, std::numeric_limits<float>::infinity(), 1e-45f, 3.4e38f, -7.25f};
  const std::vector<double> f64 = {0.1, -2.0, std::numeric_limits<double>::denorm_min(), 1e308};
  const std::vector<std::int32_t> i32 = {0, -1, 2147483647, -2147483647 - 1};
  const std::vector<std::int64_t> i64 = {0, -1, std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min()};
  const std::vector<std::uint16_t> b16 = {0x0000, 0x8000, 0x3c00, 0x7c00, 0x7e00, 0xffff};
  const std::vector<Array> arrays = {
      make_array({2, 3}, std::span<const float>(f32)),
      make_array({4}, std::span<const double>(f64)),
      make_array({2, 2}, std::span<const std::int32_t>(i32)),
      make_array({1, 4, 1}, std::span<const std::int64_t>(i64)),
      make_array(ElementType::float16, {3, 2}, std::span<const std::uint16_t>(b16)),
      make_array(ElementType::uint16, {6}, std::span<const std::uint16_t>(b16)),
      make_array(ElementType::int16, {6, 1}, std::span<const std::uint16_t>(b16)),
  };
  for (const auto& a : arrays) {
    SCOPED_TRACE(std::string(to_string(a.type)));
    const auto encoded = encode_npy(a);
    EXPECT_EQ(0u, (10 + (encoded[8] | encoded[9] << 8)) % 64) << "data must start 64-byte aligned";
    const Array back = read_npy_bytes(encoded, "roundtrip.npy");
    expect_same(a, back);
    EXPECT_EQ(back.version_major, 1);
    EXPECT_FALSE(back.fortran_order);
    EXPECT_FALSE(back.big_endian);
  }
  // Values and bits come back element for element.
  const Array a = read_npy_bytes(encode_npy(arrays[0]), "f32.npy");
  for (std::size_t i = 0; i < f32.size(); ++i) {
    EXPECT_EQ(a.bits(static_cast<std::int64_t>(i)), std::bit_cast<std::uint32_t>(f32[i]));
    EXPECT_EQ(std::signbit(a.value(static_cast<std::int64_t>(i))), std::signbit(f32[i]));
    EXPECT_EQ(a.value(static_cast<std::int64_t>(i)), static_cast<double>(f32[i]));
  }
  const Array b = read_npy_bytes(encode_npy(arrays[3]), "i64.npy");
  EXPECT_EQ(static_cast<std::int64_t>(b.bits(2)), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(static_cast<std::int64_t>(b.bits(3)), std::numeric_limits<std::int64_t>::min());
  const Array c = read_npy_bytes(encode_npy(arrays[6]), "i16.npy");
  EXPECT_EQ(c.value(1), -32768.0);
  EXPECT_EQ(c.value(5), -1.0);
  EXPECT_EQ(read_npy_bytes(encode_npy(arrays[5]), "u16.npy").value(5), 65535.0);
}

TEST(NpyRoundTrip, ZeroDimensionalAndEmptyArrays) {
  const std::vector<double> one = {42.0};
  const Array scalar = read_npy_bytes(encode_npy(make_array({}, std::span<const double>(one))), "s.npy");
  EXPECT_TRUE(scalar.shape.empty());
  EXPECT_EQ(scalar.size(), 1);
  EXPECT_EQ(scalar.value(0), 42.0);
  const Array empty = read_npy_bytes(encode_npy(make_array({0, 5}, std::span<const float>())), "e.npy");
  EXPECT_EQ(empty.shape, (std::vector<std::int64_t>{0, 5}));
  EXPECT_EQ(empty.size(), 0);
  EXPECT_TRUE(empty.values().empty());
}

TEST_F(NpyFile, RoundTripThroughAFile) {
  const std::vector<std::uint16_t> bf16 = {0x3f80, 0xc000, 0x7f80, 0x0001};
  const auto path = dir_ / "bf16.npy";
  write_npy(path, make_array(ElementType::uint16, {2, 2}, std::span<const std::uint16_t>(bf16)));
  const Array back = read_npy(path);
  EXPECT_EQ(back.source, path.string());
  EXPECT_EQ(back.shape, (std::vector<std::int64_t>{2, 2}));
  for (std::size_t i = 0; i < bf16.size(); ++i) EXPECT_EQ(back.bits(static_cast<std::int64_t>(i)), bf16[i]);

  // The raw-bytes overload writes the same file.
  const std::vector<std::int64_t> shape = {2, 2};
  write_npy(dir_ / "raw.npy", ElementType::uint16, shape, back.data);
  EXPECT_EQ(file_bytes(dir_ / "raw.npy"), file_bytes(path));
}

TEST(NpyWriter, MatchesNumpySaveByteForByte) {
  // f32_c_2x3.npy is numpy.save(np.arange(6, dtype='<f4').reshape(2, 3) - 2.5).
  const std::vector<float> v = {-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f};
  EXPECT_EQ(encode_npy(make_array({2, 3}, std::span<const float>(v))), file_bytes(kData / "f32_c_2x3.npy"));
}

TEST(NpyWriter, RefusesADataSizeThatDoesNotMatchTheShape) {
  EXPECT_THROW(make_array(ElementType::float32, {2, 3}, std::vector<std::uint8_t>(20)), Error);
  EXPECT_THROW(make_array(ElementType::float32, {-1}, std::vector<std::uint8_t>()), Error);
  Array a = make_array(ElementType::int32, {2}, std::vector<std::uint8_t>(8));
  a.data.pop_back();
  EXPECT_THROW(encode_npy(a), Error);
}

TEST_F(NpyFile, WriteToAnUnwritablePathNamesIt) {
  const auto path = dir_ / "no_such_dir" / "x.npy";
  try {
    write_npy(path, make_array(ElementType::int32, {1}, std::vector<std::uint8_t>(4)));
    FAIL() << "wrote into a missing directory";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
  }
}

// ---- files numpy wrote (tests/tools/data/make_npy_fixtures.py) ---------------------------------------------

TEST(NpyNumpyFiles, Float16ValuesAreExact) {
  const Array a = read_npy(kData / "f16_c_2x3.npy");
  ASSERT_EQ(a.type, ElementType::float16);
  ASSERT_EQ(a.shape, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(a.value(0), 0.5);
  EXPECT_EQ(a.value(1), -1.5);
  EXPECT_EQ(a.value(2), 65504.0);
  EXPECT_EQ(a.value(3), std::ldexp(1.0, -24));
  EXPECT_EQ(a.value(4), std::numeric_limits<double>::infinity());
  EXPECT_EQ(a.bits(5), 0x8000u);
  EXPECT_TRUE(std::signbit(a.value(5)));
}

TEST(NpyNumpyFiles, BigEndianFortranOrderComesBackInCOrder) {
  const Array a = read_npy(kData / "f32_be_fortran_2x3x4.npy");
  EXPECT_TRUE(a.fortran_order);
  EXPECT_TRUE(a.big_endian);
  ASSERT_EQ(a.shape, (std::vector<std::int64_t>{2, 3, 4}));
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) EXPECT_EQ(a.value(i * 12 + j * 4 + k), 100 * i + 10 * j + k) << i << j << k;

  const Array b = read_npy(kData / "i16_be_fortran_3x2.npy");
  EXPECT_EQ(b.type, ElementType::int16);
  EXPECT_EQ(b.values(), (std::vector<double>{1, -2, 3, -4, 5, -32768}));
}

TEST(NpyNumpyFiles, Versions2And3) {
  const Array v2 = read_npy(kData / "f64_v2.npy");
  EXPECT_EQ(v2.version_major, 2);
  EXPECT_EQ(v2.values(), (std::vector<double>{0, 0.25, 0.5, 0.75, 1.0}));
  const Array v3 = read_npy(kData / "i64_v3_2x2.npy");
  EXPECT_EQ(v3.version_major, 3);
  EXPECT_EQ(static_cast<std::int64_t>(v3.bits(0)), -1);
  EXPECT_EQ(static_cast<std::int64_t>(v3.bits(1)), std::int64_t{1} << 40);
  EXPECT_EQ(static_cast<std::int64_t>(v3.bits(3)), -(std::int64_t{1} << 62));
}

TEST(NpyNumpyFiles, Bf16PatternsAndScalars) {
  const Array a = read_npy(kData / "u16_bf16_3.npy");
  EXPECT_EQ(a.type, ElementType::uint16);
  EXPECT_EQ(a.bits(0), 0x3f80u);
  EXPECT_EQ(a.bits(1), 0xc000u);
  EXPECT_EQ(a.bits(2), 0x7f80u);
  const Array s = read_npy(kData / "i32_scalar.npy");
  EXPECT_TRUE(s.shape.empty());
  EXPECT_EQ(s.values(), std::vector<double>{7});
}

// ---- hand-built headers ------------------------------------------------------------------------------------

TEST(NpyHandBuilt, FortranOrderIsTransposed) {
  // A 2x3 int32 whose element [i][j] is 10i + j, stored column by column: a00 a10 a01 a11 a02 a12.
  const auto file = npy_file(1, dict("<i4", true, "(2, 3)"), raw<std::int32_t>({0, 10, 1, 11, 2, 12}, false));
  const Array a = read_npy_bytes(file, "f.npy");
  EXPECT_EQ(a.values(), (std::vector<double>{0, 1, 2, 10, 11, 12}));

  // Rank 4, built by the Fortran index formula, checked at every C index.
  const std::vector<std::int64_t> shape = {3, 2, 4, 5};
  std::vector<std::int32_t> fortran(120);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 2; ++j)
      for (int k = 0; k < 4; ++k)
        for (int l = 0; l < 5; ++l) fortran[i + 3 * (j + 2 * (k + 4 * l))] = 1000 * i + 100 * j + 10 * k + l;
  const Array b = read_npy_bytes(npy_file(1, dict("<i4", true, "(3, 2, 4, 5)"), raw(fortran, false)), "f4.npy");
  int c = 0;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 2; ++j)
      for (int k = 0; k < 4; ++k)
        for (int l = 0; l < 5; ++l) EXPECT_EQ(b.value(c++), 1000 * i + 100 * j + 10 * k + l);

  // A 1-d Fortran array is the same as C.
  EXPECT_EQ(read_npy_bytes(npy_file(1, dict("<i4", true, "(3,)"), raw<std::int32_t>({7, 8, 9}, false)), "v.npy").values(),
            (std::vector<double>{7, 8, 9}));
}

TEST(NpyHandBuilt, BigEndianEveryWidth) {
  const std::vector<double> f64 = {1.0, -0.1};
  EXPECT_EQ(read_npy_bytes(npy_file(1, dict(">f8", false, "(2,)"), raw(f64, true)), "b.npy").values(), f64);
  const std::vector<float> f32 = {3.5f, -1e-40f};
  const Array a = read_npy_bytes(npy_file(1, dict(">f4", false, "(2,)"), raw(f32, true)), "b.npy");
  EXPECT_EQ(a.bits(1), std::bit_cast<std::uint32_t>(f32[1]));
  const Array h = read_npy_bytes(npy_file(1, dict(">f2", false, "(1,)"), {0x3c, 0x01}), "b.npy");
  EXPECT_EQ(h.value(0), 1.0 + std::ldexp(1.0, -10));
  const Array u = read_npy_bytes(npy_file(1, dict(">u2", false, "(1,)"), {0x3f, 0x80}), "b.npy");
  EXPECT_EQ(u.bits(0), 0x3f80u);
  const Array i = read_npy_bytes(npy_file(1, dict(">i8", false, "(1,)"), raw<std::int64_t>({-5}, true)), "b.npy");
  EXPECT_EQ(i.value(0), -5.0);
  EXPECT_TRUE(i.big_endian);
}

TEST(NpyHandBuilt, Versions2And3HaveAFourByteLength) {
  for (int major : {2, 3}) {
    const Array a = read_npy_bytes(npy_file(major, dict("<f4", false, "(2,)"), raw<float>({1.0f, 2.0f}, false)), "v.npy");
    EXPECT_EQ(a.version_major, major);
    EXPECT_EQ(a.values(), (std::vector<double>{1, 2}));
  }
}

TEST(NpyHandBuilt, AcceptsEveryWayNumpyHasWrittenTheDict) {
  const auto four = raw<float>({1, 2, 3, 4}, false);
  for (const std::string header : {
           "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }",  // numpy >= 1.9, without padding
           "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2)}",    // no trailing comma
           "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2,2)}\n",
           "{'shape': (2L, 2L), 'fortran_order': False, 'descr': '<f4'}          \n",  // Python 2, any key order
           " {'descr':'<f4','fortran_order':False,'shape':( 2 , 2 , )}\t\r\n",
           "{'descr': '=f4', 'fortran_order': False, 'shape': (2, 2), }",  // native byte order
       }) {
    SCOPED_TRACE(header);
    const Array a = read_npy_bytes(npy_file(1, header, four), "ok.npy");
    EXPECT_EQ(a.shape, (std::vector<std::int64_t>{2, 2}));
    EXPECT_EQ(a.values(), (std::vector<double>{1, 2, 3, 4}));
  }
  EXPECT_EQ(read_npy_bytes(npy_file(1, dict("<f8", false, "()"), raw<double>({2}, false)), "s.npy").size(), 1);
}

// ---- malformed files: each names the file and the problem ---------------------------------------------------

TEST(NpyMalformed, Preamble) {
  expect_error({}, "bad magic");
  expect_error(bytes_of("PK\x03\x04 this is a zip"s), "bad magic");
  expect_error(bytes_of("\x93NUMPX\x01\x00\x10\x00"s), "bad magic");
  expect_error({0x93, 'N', 'U', 'M', 'P', 'Y', 1}, "truncated header: the file ends inside the version");
  expect_error(npy_file(4, dict("<f4", false, "()"), raw<float>({1}, false)), "unsupported .npy version 4.0");
  expect_error(npy_file(0, dict("<f4", false, "()"), raw<float>({1}, false)), "unsupported .npy version 0.0");
  auto minor = npy_file(1, dict("<f4", false, "()"), raw<float>({1}, false));
  minor[7] = 1;
  expect_error(minor, "unsupported .npy version 1.1");
  expect_error({0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0x10}, "truncated header: the file ends inside the header length");
  expect_error({0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 0x10, 0, 0}, "truncated header: the file ends inside the header length");
}

TEST(NpyMalformed, HeaderLengthBeyondTheFile) {
  auto file = npy_file(1, dict("<f4", false, "(1,)"), raw<float>({1}, false));
  file[8] = 0xff;
  file[9] = 0x7f;
  expect_error(file, "header length 32767 goes beyond the end of the file");
  expect_error(npy_file(1, ""), "malformed header: expected '{'");  // zero-length header
  auto v2 = npy_file(2, dict("<f4", false, "(1,)"));
  v2[8] = v2[9] = v2[10] = v2[11] = 0xff;
  expect_error(v2, "header length 4294967295 exceeds the limit");
}

TEST(NpyMalformed, MalformedDict) {
  const auto one = raw<float>({1}, false);
  expect_error(npy_file(1, "['descr', '<f4']", one), "malformed header: expected '{'");
  expect_error(npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), ", one), "expected a quoted key");
  expect_error(npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)", one), "expected ',' or '}'");
  expect_error(npy_file(1, "{'descr': '<f4' 'fortran_order': False, 'shape': (1,)}", one),
               "expected ',' or '}' after the value of 'descr'");
  expect_error(npy_file(1, "{'descr': '<f4", one), "unterminated string");
  expect_error(npy_file(1, "{'descr': '<f\\x34', 'fortran_order': False, 'shape': (1,)}", one), "escape sequences");
  expect_error(npy_file(1, "{'descr' '<f4', 'fortran_order': False, 'shape': (1,)}", one), "expected ':' after key 'descr'");
  expect_error(npy_file(1, "{'descr': '<f4', 'fortran_order': false, 'shape': (1,)}", one), "must be True or False");
  expect_error(npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': [1]}", one), "'shape' must be a tuple");
  expect_error(npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1)}", one), "a 1-d shape is written (n,)");
  expect_error(npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1 2)}", one), "expected ',' or ')'");
  expect_error(npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, x)}", one), "expected a dimension");
  expect_error(npy_file(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}", one),
               "structured dtypes are not supported");
  expect_error(npy_file(1, dict("<f4", false, "(1,)") + "}", one), "unexpected characters after the header dict");
  expect_error(npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\0"s, one), "not printable ASCII");
  expect_error(npy_file(3, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'n\xc3\xa9': 1}", one),
               "not printable ASCII");
  std::string deep = "(";
  for (int i = 0; i < 65; ++i) deep += "1,";
  expect_error(npy_file(1, dict("<f4", false, deep + ")"), one), "more than 64 dimensions");
}

TEST(NpyMalformed, MissingDuplicateAndUnexpectedKeys) {
  const auto one = raw<float>({1}, false);
  expect_error(npy_file(1, "{'fortran_order': False, 'shape': (1,)}", one), "header has no 'descr' key");
  expect_error(npy_file(1, "{'descr': '<f4', 'shape': (1,)}", one), "header has no 'fortran_order' key");
  expect_error(npy_file(1, "{'descr': '<f4', 'fortran_order': False}", one), "header has no 'shape' key");
  expect_error(npy_file(1, "{}", one), "header has no 'descr' key");
  expect_error(npy_file(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", one),
               "duplicate key 'descr'");
  expect_error(npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}", one),
               "unexpected key 'extra'");
  // An untrusted key is echoed as a short prefix, however long it is.
  const std::string key(100000, 'k');
  const auto file = npy_file(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), '" + key + "': 1}", one);
  expect_error(file, "unexpected key 'kkkk");
  try {
    read_npy_bytes(file, "dump.npy");
  } catch (const Error& e) {
    EXPECT_LT(std::string(e.what()).size(), 200u) << "the message echoes the key whole";
    EXPECT_NE(std::string(e.what()).find("(100000 characters)"), std::string::npos) << e.what();
  }
}

TEST(NpyMalformed, UnknownDescr) {
  const auto eight = std::vector<std::uint8_t>(8);
  expect_error(npy_file(1, dict("<c8", false, "(1,)"), eight), "unsupported dtype descr '<c8'");
  expect_error(npy_file(1, dict("|u1", false, "(8,)"), eight), "unsupported dtype descr '|u1'");
  expect_error(npy_file(1, dict("<f3", false, "(1,)"), eight), "unsupported dtype descr '<f3'");
  expect_error(npy_file(1, dict("<u4", false, "(2,)"), eight), "unsupported dtype descr '<u4'");
  expect_error(npy_file(1, dict("<f4 ", false, "(2,)"), eight), "unsupported dtype descr '<f4 '");
  expect_error(npy_file(1, dict("f4", false, "(2,)"), eight), "unsupported dtype descr 'f4'");
  expect_error(npy_file(1, dict("", false, "(2,)"), eight), "unsupported dtype descr ''");
}

TEST(NpyMalformed, DimensionsOutOfRange) {
  expect_error(npy_file(1, dict("<f4", false, "(-3,)")), "negative dimension -3");
  expect_error(npy_file(1, dict("<f4", false, "(2, -1)")), "negative dimension -1");
  expect_error(npy_file(1, dict("<f4", false, "(99999999999999999999999999999,)")), "is too large");
  expect_error(npy_file(1, dict("<f4", false, "(2147483649,)")), "dimension 2147483649 in 'shape' is too large");
  expect_error(npy_file(1, dict("<f4", false, "(65536, 65536)")), "shape (65536, 65536) has more than 2^31 elements");
  expect_error(npy_file(1, dict("<f8", false, "(2147483648, 2147483648, 2147483648)")), "has more than 2^31 elements");
  // The cap holds even when the payload could not exist: no allocation is attempted first.
  expect_error(npy_file(1, dict("<f8", false, "(2147483648,)")), "data is 0 bytes, shorter than shape (2147483648,)");
}

TEST(NpyMalformed, PayloadSizeMustMatchTheShape) {
  expect_error(npy_file(1, dict("<f4", false, "(2, 3)"), std::vector<std::uint8_t>(20)),
               "data is 20 bytes, shorter than shape (2, 3) x 4 bytes (float32) = 24 bytes");
  expect_error(npy_file(1, dict("<f4", false, "(2, 3)"), std::vector<std::uint8_t>(25)),
               "data is 25 bytes, longer than shape (2, 3) x 4 bytes (float32) = 24 bytes");
  expect_error(npy_file(1, dict("<i2", false, "()"), std::vector<std::uint8_t>(1)), "shorter than shape ()");
  expect_error(npy_file(1, dict("<i2", false, "(0,)"), std::vector<std::uint8_t>(1)), "longer than shape (0,)");
  // A numpy file with one byte cut off the end.
  auto cut = file_bytes(kData / "f32_c_2x3.npy");
  ASSERT_FALSE(cut.empty());
  cut.pop_back();
  expect_error(cut, "data is 23 bytes, shorter than shape (2, 3)");
}

TEST_F(NpyFile, FileErrorsNameTheFile) {
  const auto missing = dir_ / "missing.npy";
  try {
    read_npy(missing);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind(missing.string() + ": ", 0), 0u) << e.what();
  }
  EXPECT_THROW(read_npy(dir_), Error);  // a directory
  auto bytes = file_bytes(kData / "f32_c_2x3.npy");
  bytes.resize(100);  // inside the header
  const auto cut = dir_ / "cut.npy";
  {
    std::ofstream out(cut, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
  try {
    read_npy(cut);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(cut.string() + ": header length 118 goes beyond the end of the file"),
              std::string::npos)
        << e.what();
  }
}

TEST(NpyHalf, EveryPatternDecodesExactly) {
  // Exhaustive: 65,536 cases. A half is (-1)^s * 2^(e-15) * 1.m, or 2^-14 * 0.m when e == 0.
  for (std::uint32_t b = 0; b < 0x10000; ++b) {
    const double v = half_to_double(static_cast<std::uint16_t>(b));
    const int e = (b >> 10) & 31, m = b & 1023;
    const double sign = (b & 0x8000) ? -1 : 1;
    if (e == 31) {
      EXPECT_TRUE(m ? std::isnan(v) : v == sign * INFINITY) << b;
    } else {
      const double expect = e == 0 ? sign * m / 1024.0 / 16384.0 : sign * (1 + m / 1024.0) * std::pow(2.0, e - 15);
      EXPECT_EQ(v, expect) << b;
      EXPECT_EQ(std::signbit(v), (b & 0x8000) != 0) << b;
    }
  }
}

// The fuzzer's UBSan finding: a zero dimension must not hide the product of the others overflowing int64.
TEST(NpyMalformed, AZeroDimensionDoesNotHideAnOverflowingProduct) {
  expect_error(npy_file(1, dict("<f4", false, "(2147483648, 2147483648, 2, 0)")), "has more than 2^31 elements");
  expect_error(npy_file(1, dict("<f4", false, "(0, 65536, 65536)")), "has more than 2^31 elements");
  EXPECT_EQ(read_npy_bytes(npy_file(1, dict("<f4", false, "(65536, 0, 32768)")), "ok.npy").size(), 0);
  Array a = read_npy_bytes(npy_file(1, dict("<f4", false, "(0,)")), "ok.npy");
  a.shape = {std::int64_t{1} << 31, std::int64_t{1} << 31, 0};  // a shape changed after reading is checked again
  EXPECT_THROW(a.size(), Error);
}

}  // namespace
}  // namespace mmrope::npy
