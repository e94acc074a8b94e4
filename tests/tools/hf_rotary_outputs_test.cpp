// Real outputs of transformers' Qwen2-VL rotary code: each passes the convention it follows, and with a bug planted the check fails naming it.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "cli_runner.hpp"
#include "npy.hpp"

namespace mmrope {
namespace {

namespace fs = std::filesystem;

// tests/tools/data/hf_rotary/MODEL/DTYPE: written by tools/hf-crosscheck/dump_rotary.py from transformers 5.24.0 on
// CPU (for Qwen2-VL 4.57.6 writes the same bytes): x and y are [batch 2, heads 2, tokens 24, head_dim 128] (HF's q
// layout), pos.npy [3, 2, 24] at every magnitude up to 1e6; qwen2-vl/f32/y_BUG.npy are transformers' own outputs
// for wrong inputs (see the script).
std::string data(const std::string& model, const std::string& dtype, const std::string& name) {
  // Appended piece by piece: GCC 12 warns falsely (-Warray-bounds) on the inlined chain of operator+.
  std::string path = MMROPE_SOURCE_DIR;
  for (const std::string& part : {std::string("/tests/tools/data/hf_rotary/"), model, std::string("/"), dtype, std::string("/"), name})
    path += part;
  return path;
}
std::string data(const std::string& dtype, const std::string& name) { return data("qwen2-vl", dtype, name); }

std::vector<std::string> check_args(const std::string& dtype, const std::string& output, const std::string& x = "",
                                    const std::string& layout = "bhsd", const std::string& model = "qwen2-vl") {
  return {"check", "--preset", model, "--positions", data(model, dtype, "pos.npy"), "--input",
          x.empty() ? data(model, dtype, "x.npy") : x, "--input-layout", layout, "--output", output, "--dtype", dtype,
          "--threads", "1"};
}

CliResult check(std::vector<std::string> args, const std::vector<std::string>& more = {}) {
  args.insert(args.end(), more.begin(), more.end());
  return run_cli(args);
}

bool leads_with(const CliResult& r, const std::string& cls) { return r.out.rfind("diagnosis: " + cls + ":", 0) == 0; }

// transformers computes the fp32 phase with torch's pow, cos and sin, which are not correctly rounded: its
// output lies within fp32-phase under the default error model, not under correctly-rounded; against exact math
// it fails, for the reason the diagnosis gives.
TEST(HfRotaryOutputs, Fp32FollowsFp32Phase) {
  const auto args = check_args("f32", data("f32", "y.npy"));
  const auto conv = check(args, {"--convention", "fp32-phase"});
  EXPECT_EQ(conv.status, 0) << conv.out << conv.err;
  const auto strict = check(args, {"--convention", "fp32-phase", "--error-model", "correctly-rounded"});
  EXPECT_EQ(strict.status, 1) << strict.out << strict.err;
  const auto exact = check(args);
  EXPECT_EQ(exact.status, 1) << exact.out << exact.err;
  EXPECT_TRUE(leads_with(exact, "phase-precision")) << exact.out;
}

// Eager bf16: bf16 cos/sin and bf16 products and sums: activation-dtype, and not fp32-phase.
TEST(HfRotaryOutputs, Bf16FollowsActivationDtype) {
  const auto args = check_args("bf16", data("bf16", "y.npy"));
  const auto conv = check(args, {"--convention", "activation-dtype"});
  EXPECT_EQ(conv.status, 0) << conv.out << conv.err;
  EXPECT_EQ(check(args, {"--convention", "fp32-phase"}).status, 1);
}

// Qwen3-VL (interleaved 24, 20, 20, base 5e6): the same, where a 1-ulp pow of pair 19 used to reject bf16 near 1e6.
TEST(HfRotaryOutputs, Qwen3VlFollowsItsConventions) {
  const auto f32 = check(check_args("f32", data("qwen3-vl", "f32", "y.npy"), "", "bhsd", "qwen3-vl"), {"--convention", "fp32-phase"});
  EXPECT_EQ(f32.status, 0) << f32.out << f32.err;
  const auto bf16 = check(check_args("bf16", data("qwen3-vl", "bf16", "y.npy"), "", "bhsd", "qwen3-vl"),
                          {"--convention", "activation-dtype"});
  EXPECT_EQ(bf16.status, 0) << bf16.out << bf16.err;
  const auto exact = check(check_args("f32", data("qwen3-vl", "f32", "y.npy"), "", "bhsd", "qwen3-vl"));
  EXPECT_EQ(exact.status, 1) << exact.out;
  EXPECT_TRUE(leads_with(exact, "phase-precision")) << exact.out;
}

// transformers given wrong inputs (the files), and its output altered here: each fails its convention and is named.
TEST(HfRotaryOutputs, PlantedBugsAreNamed) {
  for (const std::string bug : {"axis-swap", "temporal-only", "position-offset", "batch-positions", "allocation"}) {
    const auto r = check(check_args("f32", data("f32", "y_" + bug + ".npy")), {"--convention", "fp32-phase"});
    EXPECT_EQ(r.status, 1) << bug << "\n" << r.out << r.err;
    EXPECT_TRUE(leads_with(r, bug)) << bug << "\n" << r.out;
  }
  const fs::path dir = fs::temp_directory_path() / ("mmrope_hf_rotary_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  fs::create_directories(dir);
  const npy::Array x = npy::read_npy(data("f32", "x.npy")), y = npy::read_npy(data("f32", "y.npy"));
  std::vector<float> xs(static_cast<std::size_t>(x.size())), ys(xs.size());
  for (std::int64_t i = 0; i < x.size(); ++i) {
    xs[static_cast<std::size_t>(i)] = static_cast<float>(x.value(i));
    ys[static_cast<std::size_t>(i)] = static_cast<float>(y.value(i));
  }
  // Pair 61 (channels 61 and 125, neox) left as the input.
  std::vector<float> unrotated = ys;
  for (std::size_t i = 0; i < unrotated.size(); ++i)
    if (i % 128 == 61 || i % 128 == 125) unrotated[i] = xs[i];
  npy::write_npy(dir / "y_unrotated.npy", npy::make_array({2, 2, 24, 128}, std::span<const float>(unrotated)));
  const auto u = check(check_args("f32", (dir / "y_unrotated.npy").string()), {"--convention", "fp32-phase"});
  EXPECT_EQ(u.status, 1) << u.out;
  EXPECT_TRUE(leads_with(u, "unrotated-pairs")) << u.out;
  // The input in [batch, tokens, heads, head_dim], the output left heads first: heads and tokens exchanged.
  std::vector<float> x_bshd(xs.size());
  for (int b = 0; b < 2; ++b)
    for (int h = 0; h < 2; ++h)
      for (int t = 0; t < 24; ++t)
        for (int c = 0; c < 128; ++c)
          x_bshd[static_cast<std::size_t>(((b * 24 + t) * 2 + h) * 128 + c)] = xs[static_cast<std::size_t>(((b * 2 + h) * 24 + t) * 128 + c)];
  npy::write_npy(dir / "x_bshd.npy", npy::make_array({2, 24, 2, 128}, std::span<const float>(x_bshd)));
  npy::write_npy(dir / "y_heads_first.npy", npy::make_array({2, 24, 2, 128}, std::span<const float>(ys)));
  const auto tr = check(check_args("f32", (dir / "y_heads_first.npy").string(), (dir / "x_bshd.npy").string(), "bshd"),
                        {"--convention", "fp32-phase"});
  EXPECT_EQ(tr.status, 1) << tr.out;
  EXPECT_TRUE(leads_with(tr, "transposed-layout")) << tr.out;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mmrope
