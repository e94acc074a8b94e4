// `mmrope rotate` and `mmrope check` end to end: round trips pass, a wrong element is found and named, bad input exits 2.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <unistd.h>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "npy.hpp"
#include "reference/emulation/emulated_rotation.hpp"
#include "reference/presets/preset_rotary.hpp"
#include "reference/layout_spec.hpp"
#include "reference/presets/presets.hpp"

namespace mmrope {
namespace {

namespace fs = std::filesystem;

class CheckCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mmrope_check_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // X: [11 tokens, 2 heads, 8 channels] of small multiples of 1/8 (exact in every dtype), never all zero.
  std::string write_x(std::vector<std::int64_t> shape = {11, 2, 8}) {
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    std::vector<float> v(static_cast<std::size_t>(n));
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(static_cast<int>((i * 7919) % 33) - 16) / 8.0f;
    npy::write_npy(path("x.npy"), npy::make_array(shape, std::span<const float>(v)));
    return path("x.npy");
  }

  fs::path dir_;
};

const char* kLayout = "text:3 image:1x4x6 text:2";  // 11 tokens under qwen2-vl

TEST_F(CheckCommand, RotateThenCheckPasses) {
  const std::string x = write_x({11, 2, 128});
  for (const char* dtype : {"f32", "f16", "bf16"}) {
    SCOPED_TRACE(dtype);
    auto r = run_cli({"rotate", "--preset", "qwen2-vl", "--layout", kLayout, "--input", x, "--output", path("y.npy"),
                      "--dtype", dtype});
    ASSERT_EQ(r.status, 0) << r.err;
    auto c = run_cli({"check", "--preset", "qwen2-vl", "--layout", kLayout, "--input", x, "--output", path("y.npy"),
                      "--dtype", dtype, "--max-ulp", "0.5"});
    EXPECT_EQ(c.status, 0) << c.out << c.err;
    EXPECT_NE(c.out.find("result: PASS"), std::string::npos) << c.out;
  }
}

// Partial rotary (vanilla, rotary_dim 8 of head_dim 16): the tail channels pass through unchanged.
TEST_F(CheckCommand, PartialRotaryPassesTheTailThrough) {
  const std::string x = write_x({11, 2, 16});
  ASSERT_EQ(run_cli({"rotate", "--preset", "vanilla", "--layout", "text:11", "--input", x, "--output", path("y.npy"),
                     "--dtype", "f32", "--rotary-dim", "8"}).status, 0);
  const npy::Array in = npy::read_npy(x), out = npy::read_npy(path("y.npy"));
  for (std::int64_t i = 0; i < in.size(); ++i)
    if (i % 16 >= 8) {
      ASSERT_EQ(out.value(i), in.value(i)) << i;
    }
  // Token 1 is rotated (position 1): some rotary channel changed.
  bool changed = false;
  for (std::int64_t c = 0; c < 8; ++c) changed = changed || out.value(2 * 16 + c) != in.value(2 * 16 + c);
  EXPECT_TRUE(changed);
}

// One element of a bf16 output moved by 4 ulps: the check fails and names its token, head, channel, axis and (t, h, w).
TEST_F(CheckCommand, WrongElementIsFoundAndNamed) {
  const std::string x = write_x({11, 2, 128});
  ASSERT_EQ(run_cli({"rotate", "--preset", "qwen2-vl", "--layout", kLayout, "--input", x, "--output", path("y.npy"),
                     "--dtype", "bf16"}).status, 0);
  npy::Array y = npy::read_npy(path("y.npy"));
  // Element (token 6, head 1, channel 20): channel 20 is pair 20 under neox pairing, which chunked
  // [16,24,24] gives to h (pairs 16..39). Token 6 = image row 1, column 0 at S = 3: (3, 3 + 1, 3 + 0) = (3, 4, 3).
  const std::size_t i = (6 * 2 + 1) * 128 + 20;
  std::uint16_t bits;
  std::memcpy(&bits, y.data.data() + 2 * i, 2);
  bits += 4;  // 4 ulps away (same binade unless the value sits at its top; the bound 1 is passed either way)
  std::memcpy(y.data.data() + 2 * i, &bits, 2);
  npy::write_npy(path("y_bad.npy"), y);
  auto c = run_cli({"check", "--preset", "qwen2-vl", "--layout", kLayout, "--input", x, "--output", path("y_bad.npy"),
                    "--dtype", "bf16", "--worst", "1"});
  EXPECT_EQ(c.status, 1) << c.out << c.err;
  EXPECT_NE(c.out.find("result: FAIL"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("over the bound of 1 ulp: 1 of 2816"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("\n  0 6 1 20 h (3, 4, 3) "), std::string::npos) << c.out;
}

TEST_F(CheckCommand, AllZeroOutputFails) {
  const std::string x = write_x({11, 2, 128});
  std::vector<float> zeros(11 * 2 * 128, 0.0f);
  npy::write_npy(path("zeros.npy"), npy::make_array({11, 2, 128}, std::span<const float>(zeros)));
  auto c = run_cli({"check", "--preset", "qwen2-vl", "--layout", kLayout, "--input", x, "--output", path("zeros.npy"),
                    "--dtype", "f32", "--max-ulp", "1e30"});
  EXPECT_EQ(c.status, 1) << c.out << c.err;
  EXPECT_NE(c.out.find("all zeros"), std::string::npos) << c.out;
}

// Positions given as a [3, tokens] int64 .npy equal the layout's positions: the same output passes.
TEST_F(CheckCommand, PositionsFileEqualsLayout) {
  const std::string x = write_x({11, 2, 128});
  ASSERT_EQ(run_cli({"rotate", "--preset", "qwen2-vl", "--layout", kLayout, "--input", x, "--output", path("y.npy"),
                     "--dtype", "bf16"}).status, 0);
  // qwen2-vl positions of the layout (docs/layout-rules.md 1.3's example), rows t, h, w.
  const std::vector<std::int64_t> t = {0, 1, 2, 3, 3, 3, 3, 3, 3, 6, 7}, h = {0, 1, 2, 3, 3, 3, 4, 4, 4, 6, 7},
                                  w = {0, 1, 2, 3, 4, 5, 3, 4, 5, 6, 7};
  std::vector<std::int64_t> p(t);
  p.insert(p.end(), h.begin(), h.end());
  p.insert(p.end(), w.begin(), w.end());
  npy::write_npy(path("pos.npy"), npy::make_array({3, 11}, std::span<const std::int64_t>(p)));
  auto c = run_cli({"check", "--preset", "qwen2-vl", "--positions", path("pos.npy"), "--input", x, "--output",
                    path("y.npy"), "--dtype", "bf16", "--max-ulp", "0.5"});
  EXPECT_EQ(c.status, 0) << c.out << c.err;
  // A wrong position (token 4's w = 5 instead of 4) makes the same output fail.
  p[2 * 11 + 4] = 5;
  npy::write_npy(path("pos_bad.npy"), npy::make_array({3, 11}, std::span<const std::int64_t>(p)));
  auto bad = run_cli({"check", "--preset", "qwen2-vl", "--positions", path("pos_bad.npy"), "--input", x, "--output",
                      path("y.npy"), "--dtype", "bf16"});
  EXPECT_EQ(bad.status, 1) << bad.out << bad.err;
}

TEST_F(CheckCommand, ConventionReportsBothDistances) {
  const std::string x = write_x({11, 2, 128});
  ASSERT_EQ(run_cli({"rotate", "--preset", "qwen2-vl", "--layout", kLayout, "--input", x, "--output", path("y.npy"),
                     "--dtype", "bf16"}).status, 0);
  auto c = run_cli({"check", "--preset", "qwen2-vl", "--layout", kLayout, "--input", x, "--output", path("y.npy"),
                    "--dtype", "bf16", "--convention", "fp32-phase", "--json"});
  EXPECT_NE(c.out.find("\"convention\": \"fp32-phase\""), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("\"convention_max_ulp\""), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("\"max_ulp\""), std::string::npos) << c.out;
  // The exact rounding and fp32-phase's output are both within about half an ulp of the exact value at
  // these small positions, so they are at most 1 ulp apart: the default bound of 1 passes.
  EXPECT_EQ(c.status, 0) << c.out << c.err;
  // Held to the convention bit for bit (correctly-rounded, --max-ulp 0): the convention's own output, emulated
  // here by EmulatedRotation, passes; the exact rounding passes exactly when it has the same bits.
  const Preset& preset = find_preset("qwen2-vl");
  const auto positions = positions_of(make_preset_design(preset)->assign(parse_layout(kLayout)));
  RotaryOverrides heads;
  heads.heads = HeadCounts{2, 2};
  const auto plan = make_frequency_plan<Mpfr256>(rotary_spec_for(preset.frequency, heads));
  const npy::Array xa = npy::read_npy(x);
  std::vector<double> xs(static_cast<std::size_t>(xa.size()));
  for (std::size_t i = 0; i < xs.size(); ++i) xs[i] = xa.value(static_cast<std::int64_t>(i));
  const auto conv = EmulatedRotation<Mpfr256>(plan, positions, Convention::fp32_phase)
                        .apply(xs, {11, 2, 128}, TensorRole::query, Direction::forward, DType::bf16);
  std::vector<std::uint8_t> bytes(conv.bits.size() * 2);
  for (std::size_t i = 0; i < conv.bits.size(); ++i) {
    const auto b = static_cast<std::uint16_t>(conv.bits[i]);
    std::memcpy(bytes.data() + 2 * i, &b, 2);
  }
  npy::write_npy(path("y_conv.npy"), npy::make_array(npy::ElementType::uint16, {11, 2, 128}, bytes));
  const auto strict = [&](const std::string& output) {
    return run_cli({"check", "--preset", "qwen2-vl", "--layout", kLayout, "--input", x, "--output", output, "--dtype", "bf16",
                    "--convention", "fp32-phase", "--error-model", "correctly-rounded", "--max-ulp", "0"});
  };
  const auto own = strict(path("y_conv.npy"));
  EXPECT_EQ(own.status, 0) << own.out << own.err;
  const npy::Array exact = npy::read_npy(path("y.npy"));
  const bool same = std::equal(exact.data.begin(), exact.data.end(), bytes.begin(), bytes.end());
  const auto rounded = strict(path("y.npy"));
  EXPECT_EQ(rounded.status, same ? 0 : 1) << rounded.out;
  bytes[2 * 40] ^= 1;  // element 40 one bit off the convention
  npy::write_npy(path("y_conv_off.npy"), npy::make_array(npy::ElementType::uint16, {11, 2, 128}, bytes));
  EXPECT_EQ(strict(path("y_conv_off.npy")).status, 1);
  // An error model applies to a convention only.
  EXPECT_EQ(run_cli({"check", "--preset", "qwen2-vl", "--layout", kLayout, "--input", x, "--output", path("y.npy"),
                     "--dtype", "bf16", "--error-model", "torch-cpu"}).status, 2);
}

// A failing report leads with its diagnosis (text and JSON); a passing one has none. Pair 61's channels (61
// and 125 under neox pairing) copied from the input: chunked [16,24,24] gives pair 61 to w.
TEST_F(CheckCommand, DiagnosisLeadsAFailingReport) {
  const std::string x = write_x({2, 11, 2, 128});
  ASSERT_EQ(run_cli({"rotate", "--preset", "qwen2-vl", "--layout", kLayout, "--input", x, "--output", path("y.npy"),
                     "--dtype", "f32"}).status, 0);
  const auto pass = run_cli({"check", "--preset", "qwen2-vl", "--layout", kLayout, "--input", x, "--output", path("y.npy"),
                             "--dtype", "f32", "--json"});
  EXPECT_EQ(pass.status, 0) << pass.out << pass.err;
  EXPECT_NE(pass.out.find("\"diagnosis\": []"), std::string::npos) << pass.out;
  const npy::Array in = npy::read_npy(x);
  npy::Array y = npy::read_npy(path("y.npy"));
  for (std::int64_t i = 0; i < y.size(); ++i)
    if (i % 128 == 61 || i % 128 == 125) std::memcpy(y.data.data() + 4 * i, in.data.data() + 4 * i, 4);
  npy::write_npy(path("y_bad.npy"), y);
  const auto text = run_cli({"check", "--preset", "qwen2-vl", "--layout", kLayout, "--input", x, "--output", path("y_bad.npy"),
                             "--dtype", "f32"});
  EXPECT_EQ(text.status, 1) << text.out << text.err;
  EXPECT_EQ(text.out.rfind("diagnosis: unrotated-pairs: pair 61 (channels 61, 125)", 0), 0u) << text.out;
  EXPECT_NE(text.out.find("by pair: 61 (channels 61, 125, axis w)"), std::string::npos) << text.out;
  const auto json = run_cli({"check", "--preset", "qwen2-vl", "--layout", kLayout, "--input", x, "--output", path("y_bad.npy"),
                             "--dtype", "f32", "--json"});
  EXPECT_NE(json.out.find("\"diagnosis\": [{\"class\": \"unrotated-pairs\""), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"by_pair\": ["), std::string::npos) << json.out;
}

TEST_F(CheckCommand, BatchWithOneLayoutPerRow) {
  const std::string x = write_x({2, 11, 1, 128});
  ASSERT_EQ(run_cli({"rotate", "--preset", "qwen2-vl", "--layout", kLayout, "--layout", "text:11", "--input", x,
                     "--output", path("y.npy"), "--dtype", "f32"}).status, 0);
  auto ok = run_cli({"check", "--preset", "qwen2-vl", "--layout", kLayout, "--layout", "text:11", "--input", x,
                     "--output", path("y.npy"), "--dtype", "f32", "--max-ulp", "0.5"});
  EXPECT_EQ(ok.status, 0) << ok.out << ok.err;
  // Swapping the rows' layouts changes row 0's image positions: the output no longer matches.
  auto swapped = run_cli({"check", "--preset", "qwen2-vl", "--layout", "text:11", "--layout", kLayout, "--input", x,
                          "--output", path("y.npy"), "--dtype", "f32"});
  EXPECT_EQ(swapped.status, 1) << swapped.out << swapped.err;
}

TEST_F(CheckCommand, UnusableInputExitsTwo) {
  const std::string x = write_x({11, 2, 128});
  std::ofstream(path("garbage.npy")) << "not a numpy file";
  const std::vector<std::vector<std::string>> cases = {
      {"check", "--preset", "qwen2-vl", "--layout", kLayout, "--input", x, "--output", path("garbage.npy")},
      {"check", "--preset", "qwen2-vl", "--layout", kLayout, "--input", path("missing.npy"), "--output", x},
      {"check", "--preset", "qwen2-vl", "--layout", "text:12", "--input", x, "--output", x, "--dtype", "f32"},
      {"check", "--layout", kLayout, "--input", x, "--output", x},
      {"check", "--preset", "qwen2-vl", "--input", x, "--output", x},
      {"rotate", "--preset", "qwen2-vl", "--layout", kLayout, "--input", path("garbage.npy"), "--output", path("o.npy")},
  };
  for (const auto& args : cases) {
    auto r = run_cli(args);
    EXPECT_EQ(r.status, 2) << args[0] << " " << args.back() << ": " << r.out;
    EXPECT_FALSE(r.err.empty());
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
  }
}

// Both engines write the same file and report the same verdict and figures; the thread count changes nothing.
TEST_F(CheckCommand, EnginesAndThreadCountsAgree) {
  const std::string x = write_x({2, 11, 3, 128});
  const std::vector<std::string> common = {"--preset", "qwen2-vl", "--layout", kLayout, "--input", x, "--dtype", "bf16"};
  auto with = [&](std::vector<std::string> head, std::vector<std::string> tail) {
    head.insert(head.end(), common.begin(), common.end());
    head.insert(head.end(), tail.begin(), tail.end());
    return run_cli(head);
  };
  ASSERT_EQ(with({"rotate"}, {"--output", path("fast.npy")}).status, 0);
  ASSERT_EQ(with({"rotate"}, {"--output", path("mpfr.npy"), "--engine", "mpfr", "--threads", "1"}).status, 0);
  auto bytes = [](const std::string& f) {
    std::ifstream in(f, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  ASSERT_EQ(bytes(path("fast.npy")), bytes(path("mpfr.npy")));
  // A wrong element, so the report has a worst list to compare.
  npy::Array y = npy::read_npy(path("fast.npy"));
  y.data[2 * 500] ^= 3;
  npy::write_npy(path("bad.npy"), y);
  const auto fast = with({"check"}, {"--output", path("bad.npy"), "--threads", "2"});
  const auto mpfr = with({"check"}, {"--output", path("bad.npy"), "--engine", "mpfr", "--threads", "3"});
  EXPECT_EQ(fast.status, 1) << fast.out << fast.err;
  EXPECT_EQ(mpfr.status, 1);
  auto without_engine_line = [](std::string text) {
    const auto at = text.find("engine: ");
    return at == std::string::npos ? text : text.erase(at, text.find('\n', at) - at + 1);
  };
  EXPECT_NE(fast.out.find("engine: fast"), std::string::npos) << fast.out;
  EXPECT_EQ(without_engine_line(fast.out), without_engine_line(mpfr.out));
}

// A header that promises more data than the file holds is an error before any work; so is a bound that is
// not a finite number (NaN would let every element through).
TEST_F(CheckCommand, TruncatedFileAndNonFiniteBoundExitTwo) {
  const std::string x = write_x({11, 2, 128});
  const auto full = fs::file_size(x);
  fs::copy_file(x, path("short.npy"));
  fs::resize_file(path("short.npy"), full - 4);
  auto r = run_cli({"check", "--preset", "qwen2-vl", "--layout", kLayout, "--input", path("short.npy"), "--output", x,
                    "--dtype", "f32"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("short.npy"), std::string::npos) << r.err;
  for (const char* bound : {"nan", "inf", "-1", "1e999", "abc"}) {
    r = run_cli({"check", "--preset", "qwen2-vl", "--layout", kLayout, "--input", x, "--output", x, "--dtype", "f32",
                 "--max-ulp", bound});
    EXPECT_EQ(r.status, 2) << bound;
    EXPECT_NE(r.err.find("max-ulp"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace mmrope

namespace mmrope {
namespace {

namespace fs = std::filesystem;

// [batch 2, tokens 11, heads 3, head_dim 8] written as bhsd (HF's q layout): element (b, s, h, d) of the bshd
// tensor sits at ((b * 3 + h) * 11 + s) * 8 + d. Rotating the bhsd file with --input-layout bhsd must give, bit
// for bit, the bhsd transpose of rotating the bshd file.
TEST(InputLayout, BhsdAndSbhdRotateAsTheirBshdTranspose) {
  const fs::path dir = fs::temp_directory_path() / ("mmrope_layout_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto path = [&](const std::string& n) { return (dir / n).string(); };
  const std::int64_t B = 2, S = 11, H = 3, D = 8;
  std::vector<float> bshd(static_cast<std::size_t>(B * S * H * D)), bhsd(bshd.size()), sbhd(bshd.size());
  for (std::int64_t b = 0; b < B; ++b)
    for (std::int64_t s = 0; s < S; ++s)
      for (std::int64_t h = 0; h < H; ++h)
        for (std::int64_t d = 0; d < D; ++d) {
          const float v = static_cast<float>(((b * 131 + s * 17 + h * 7 + d * 3) % 29) - 14) / 8.0f;
          bshd[static_cast<std::size_t>(((b * S + s) * H + h) * D + d)] = v;
          bhsd[static_cast<std::size_t>(((b * H + h) * S + s) * D + d)] = v;
          sbhd[static_cast<std::size_t>(((s * B + b) * H + h) * D + d)] = v;
        }
  npy::write_npy(path("bshd.npy"), npy::make_array({B, S, H, D}, std::span<const float>(bshd)));
  npy::write_npy(path("bhsd.npy"), npy::make_array({B, H, S, D}, std::span<const float>(bhsd)));
  npy::write_npy(path("sbhd.npy"), npy::make_array({S, B, H, D}, std::span<const float>(sbhd)));
  const std::vector<std::string> common = {"--preset", "vanilla", "--layout", "text:11", "--dtype", "bf16"};
  auto rotate = [&](const std::string& in, const std::string& out, const std::string& layout) {
    std::vector<std::string> args = {"rotate", "--input", path(in), "--output", path(out), "--input-layout", layout};
    args.insert(args.end(), common.begin(), common.end());
    return run_cli(args);
  };
  ASSERT_EQ(rotate("bshd.npy", "y_bshd.npy", "bshd").status, 0);
  auto r = rotate("bhsd.npy", "y_bhsd.npy", "bhsd");
  ASSERT_EQ(r.status, 0) << r.err;
  ASSERT_EQ(rotate("sbhd.npy", "y_sbhd.npy", "sbhd").status, 0);
  const auto y = npy::read_npy(path("y_bshd.npy")), yh = npy::read_npy(path("y_bhsd.npy")), ys = npy::read_npy(path("y_sbhd.npy"));
  EXPECT_EQ(yh.shape, (std::vector<std::int64_t>{B, H, S, D}));
  for (std::int64_t b = 0; b < B; ++b)
    for (std::int64_t s = 0; s < S; ++s)
      for (std::int64_t h = 0; h < H; ++h)
        for (std::int64_t d = 0; d < D; ++d) {
          const auto want = y.bits(((b * S + s) * H + h) * D + d);
          ASSERT_EQ(yh.bits(((b * H + h) * S + s) * D + d), want) << b << " " << s << " " << h << " " << d;
          ASSERT_EQ(ys.bits(((s * B + b) * H + h) * D + d), want) << b << " " << s << " " << h << " " << d;
        }
  // check reads Y in the same layout; without the flag, the bhsd file's token axis is read as heads.
  std::vector<std::string> check = {"check", "--input", path("bhsd.npy"), "--output", path("y_bhsd.npy"), "--input-layout", "bhsd"};
  check.insert(check.end(), common.begin(), common.end());
  const auto c = run_cli(check);
  EXPECT_EQ(c.status, 0) << c.out << c.err;
  std::vector<std::string> wrong = {"check", "--input", path("bhsd.npy"), "--output", path("y_bhsd.npy")};
  wrong.insert(wrong.end(), common.begin(), common.end());
  const auto w = run_cli(wrong);
  EXPECT_EQ(w.status, 2);
  EXPECT_NE(w.err.find("heads and tokens may be swapped, pass --input-layout bhsd"), std::string::npos) << w.err;
  std::vector<std::string> thd4 = {"rotate", "--input", path("bshd.npy"), "--output", path("t.npy"), "--input-layout", "thd"};
  thd4.insert(thd4.end(), common.begin(), common.end());
  EXPECT_NE(run_cli(thd4).err.find("is not [tokens, heads, head_dim] (--input-layout thd)"), std::string::npos);
  fs::remove_all(dir);
}

// `check --json` prints a JSON report on every exit: a usable report (0 or 1) and an unusable input or option (2).
TEST(CheckJson, EveryExitPrintsValidJson) {
  const auto missing = run_cli({"check", "--preset", "qwen2-vl", "--layout", kLayout, "--input", "no-such.npy", "--output",
                                "no-such-either.npy", "--json"});
  EXPECT_EQ(missing.status, 2);
  const auto j = nlohmann::json::parse(missing.out);  // throws, failing the test, if the output is not JSON
  EXPECT_EQ(j.at("passed"), false);
  EXPECT_EQ(j.at("exit_status"), 2);
  EXPECT_NE(j.at("error").get<std::string>().find("no-such.npy"), std::string::npos) << missing.out;
  EXPECT_NE(missing.err.find("no-such.npy"), std::string::npos);  // and the usual line on stderr
  const auto bad_option = run_cli({"check", "--preset", "qwen2-vl", "--layout", kLayout, "--input", "x.npy", "--output", "y.npy",
                                   "--max-ulp", "lots", "--json"});
  EXPECT_EQ(bad_option.status, 2);
  const auto k = nlohmann::json::parse(bad_option.out);
  EXPECT_NE(k.at("error").get<std::string>().find("--max-ulp"), std::string::npos) << bad_option.out;
}

}  // namespace
}  // namespace mmrope

namespace mmrope {
namespace {

// The rotary settings a preset gives can be overridden on every command that rotates or maps pairs.
TEST(RotaryOverrides, AllocationMapFollowsTheOverrides) {
  // Qwen2-VL with Qwen3-VL's interleaving and sections maps pairs exactly as qwen3-vl: thw x 20, then tttt.
  const auto over = run_cli({"allocation", "--preset", "qwen2-vl", "--allocation", "interleaved", "--sections", "24,20,20", "--map-only"});
  ASSERT_EQ(over.status, 0) << over.err;
  std::string want;
  for (int k = 0; k < 20; ++k) want += "thw";
  want += "tttt\n";
  EXPECT_EQ(over.out, want);
  // head_dim 64 with rotary_dim 64: 32 pairs, sections 8,12,12 -> t 8, h 12, w 12.
  const auto small = run_cli({"allocation", "--preset", "qwen2-vl", "--head-dim", "64", "--rotary-dim", "64", "--sections", "8,12,12"});
  ASSERT_EQ(small.status, 0) << small.err;
  EXPECT_NE(small.out.find("rotary_dim: 64 of head_dim 64 (32 pairs, pairing neox)"), std::string::npos) << small.out;
  EXPECT_NE(small.out.find("counts: t 8, h 12, w 12, none 0"), std::string::npos) << small.out;
  const auto gptj = run_cli({"allocation", "--preset", "qwen2-vl", "--pairing", "gptj"});
  EXPECT_NE(gptj.out.find("pairing gptj"), std::string::npos) << gptj.out;
  const auto bad = run_cli({"allocation", "--preset", "qwen2-vl", "--rope-theta", "1"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("--rope-theta '1' must be a number greater than 1"), std::string::npos) << bad.err;
}

// A rotation with gptj pairs and rope_theta 10000 passes a check with the same overrides and fails one without.
TEST(RotaryOverrides, RotateAndCheckTakeTheSameOverrides) {
  const fs::path dir = fs::temp_directory_path() / ("mmrope_overrides_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string x = (dir / "x.npy").string(), y = (dir / "y.npy").string();
  std::vector<float> v(11 * 2 * 128);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(static_cast<int>((i * 7919) % 33) - 16) / 8.0f;
  npy::write_npy(x, npy::make_array({11, 2, 128}, std::span<const float>(v)));
  const std::vector<std::string> base = {"--preset", "qwen2-vl", "--layout", kLayout, "--input", x, "--output", y, "--dtype", "f32"};
  const std::vector<std::string> over = {"--pairing", "gptj", "--rope-theta", "10000"};
  auto run = [&](const char* cmd, bool with_overrides) {
    std::vector<std::string> args = {cmd};
    args.insert(args.end(), base.begin(), base.end());
    if (with_overrides) args.insert(args.end(), over.begin(), over.end());
    return run_cli(args);
  };
  ASSERT_EQ(run("rotate", true).status, 0);
  const auto same = run("check", true);
  EXPECT_EQ(same.status, 0) << same.out << same.err;
  EXPECT_EQ(run("check", false).status, 1);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mmrope

namespace mmrope {
namespace {

// With --convention the worst list is the convention's, each element with the exact result (rounded) beside it.
TEST(CheckConvention, WorstElementsAreTheConventionsWithTheReferenceBeside) {
  const fs::path dir = fs::temp_directory_path() / ("mmrope_conv_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string x = (dir / "x.npy").string(), y = (dir / "y.npy").string();
  std::vector<float> v(11 * 2 * 128);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(static_cast<int>((i * 7919) % 33) - 16) / 8.0f;
  npy::write_npy(x, npy::make_array({11, 2, 128}, std::span<const float>(v)));
  ASSERT_EQ(run_cli({"rotate", "--preset", "qwen2-vl", "--layout", kLayout, "--input", x, "--output", y, "--dtype", "bf16"}).status, 0);
  // Move token 6, head 1, channel 20 by 3 bf16 steps away from the correctly rounded value.
  auto a = npy::read_npy(y);
  const std::int64_t at = (6 * 2 + 1) * 128 + 20;
  const auto bits = static_cast<std::uint16_t>(a.bits(at));
  const auto moved = static_cast<std::uint16_t>(bits + 3);
  a.data[static_cast<std::size_t>(2 * at)] = static_cast<std::uint8_t>(moved & 0xff);
  a.data[static_cast<std::size_t>(2 * at + 1)] = static_cast<std::uint8_t>(moved >> 8);
  npy::write_npy(y, a);
  const auto c = run_cli({"check", "--preset", "qwen2-vl", "--layout", kLayout, "--input", x, "--output", y, "--dtype", "bf16",
                          "--convention", "fp32-phase", "--json", "--worst", "3"});
  EXPECT_EQ(c.status, 1) << c.out << c.err;
  const auto j = nlohmann::json::parse(c.out);
  const auto& w = j.at("worst").at(0);
  EXPECT_EQ(w.at("token"), 6);
  EXPECT_EQ(w.at("head"), 1);
  EXPECT_EQ(w.at("channel"), 20);
  ASSERT_TRUE(w.contains("convention") && w.contains("reference") && w.contains("reference_ulp")) << c.out;
  // The reference is the unmoved value and got is 3 bf16 steps from it: its 7 significand bits do not carry into
  // the exponent (checked here), so the distance is exactly 3 ulps of the reference's binade.
  ASSERT_LE(bits & 0x7f, 0x7f - 3) << "pick an element whose +3 stays in its binade";
  EXPECT_EQ(w.at("reference_ulp").get<double>(), 3.0);
  EXPECT_GE(w.at("ulp").get<double>(), 2.0);  // the convention is within 1 step of the reference at these positions
  EXPECT_LE(j.at("worst").size(), 3u);
  const auto text = run_cli({"check", "--preset", "qwen2-vl", "--layout", kLayout, "--input", x, "--output", y, "--dtype", "bf16",
                             "--convention", "fp32-phase"});
  EXPECT_NE(text.out.find("worst elements, against the convention"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("\n  0 6 1 20 "), std::string::npos) << text.out;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mmrope
