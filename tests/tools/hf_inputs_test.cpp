// --hf-inputs/--hf-config/--transformers: numpy-written .npz inputs and save_pretrained-style configs, end to end.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

#include "cli_runner.hpp"
#include "hf_config.hpp"
#include "npy.hpp"
#include "npz.hpp"
#include "reference/error.hpp"

namespace mmrope::cli {
namespace {

namespace fs = std::filesystem;

// The fixtures: tests/tools/data/hf/make_hf_fixtures.py wrote them with numpy.savez, savez_compressed and json.
std::string fixture(const std::string& name) { return std::string(MMROPE_SOURCE_DIR) + "/tests/tools/data/hf/" + name; }

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("mmrope_hf_" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

std::vector<std::int64_t> int64_values(const npy::Array& a) {
  std::vector<std::int64_t> v;
  for (std::int64_t i = 0; i < a.size(); ++i) v.push_back(static_cast<std::int64_t>(a.bits(i)));
  return v;
}

// Qwen2-VL's batch (hand derivation in tests/reference/hf_rope_index_test.cpp, Qwen2VlBatchUnderTransformers4):
// the .npy files hold position_ids [3, 2, 11] and rope_deltas [2, 1], int64, as get_rope_index returns them.
TEST(HfInputs, WritesPositionIdsAndDeltasAsTransformersReturnsThem) {
  TempDir dir;
  const auto r = run_cli({"positions", "--hf-inputs", fixture("qwen2vl_batch.npz"), "--hf-config", fixture("qwen2vl_config_4x.json"),
                          "--output", dir.file("pos.npy"), "--deltas-output", dir.file("deltas.npy")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("qwen2-vl rules of transformers 4.57.6 (config.json transformers_version"), std::string::npos) << r.out;
  const auto pos = npy::read_npy(dir.file("pos.npy"));
  EXPECT_EQ(pos.type, npy::ElementType::int64);
  EXPECT_EQ(pos.shape, (std::vector<std::int64_t>{3, 2, 11}));
  const std::vector<std::int64_t> want = {
      0, 1, 2, 3, 3, 3, 3, 3, 3, 6, 7, 1, 1, 1, 1, 1, 1, 0, 1, 2, 3, 4,   // t
      0, 1, 2, 3, 3, 3, 4, 4, 4, 6, 7, 1, 1, 1, 1, 1, 1, 0, 1, 2, 3, 4,   // h
      0, 1, 2, 3, 4, 5, 3, 4, 5, 6, 7, 1, 1, 1, 1, 1, 1, 0, 1, 2, 3, 4};  // w
  EXPECT_EQ(int64_values(pos), want);
  const auto deltas = npy::read_npy(dir.file("deltas.npy"));
  EXPECT_EQ(deltas.shape, (std::vector<std::int64_t>{2, 1}));
  EXPECT_EQ(int64_values(deltas), (std::vector<std::int64_t>{-3, -6}));
}

// The 5.x config layout (text_config, rope_parameters) and its version: pads 0 and deltas over the real tokens.
TEST(HfInputs, Transformers5ConfigLayoutAndRules) {
  const auto r = run_cli({"positions", "--hf-inputs", fixture("qwen2vl_batch.npz"), "--hf-config", fixture("qwen2vl_config_5x.json"),
                          "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("\"preset\": \"qwen2-vl-hf5\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"rope_deltas\": [[-3], [0]]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[[0, 1, 2, 3, 3, 3, 3, 3, 3, 6, 7], [0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]]"), std::string::npos) << r.out;
}

// savez_compressed, a float32 second_per_grid_ts, and a pixel_values member that is never read. Derivations of the
// frame offsets per release: tests/reference/hf_rope_index_test.cpp, Qwen25VlVideoUnderEveryRange.
TEST(HfInputs, CompressedVideoUnderEachTransformersRange) {
  struct Case {
    const char* version;
    const char* t_row;
    const char* delta;
  };
  const Case cases[] = {
      {"4.49.0", "[[0, 1, 2, 2, 2, 2, 3, 3, 3, 3, 5, 5, 5, 5, 7, 7, 7, 7, 8, 9]]", "[[-10]]"},
      {"4.57.6", "[[0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 4, 5]]", "[[-14]]"},
      {"5.17.0", "[[0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 4, 5]]", "[[-14]]"},
      {"5.24.0", "[[0, 1, 2, 2, 2, 2, 3, 3, 3, 3, 5, 5, 5, 5, 7, 7, 7, 7, 4, 5]]", "[[-12]]"},
  };
  for (const auto& c : cases) {
    const auto r = run_cli({"positions", "--hf-inputs", fixture("qwen25vl_video.npz"), "--hf-config", fixture("qwen25vl_config_4x.json"),
                            "--transformers", c.version, "--format", "json"});
    ASSERT_EQ(r.status, 0) << c.version << ": " << r.err;
    EXPECT_NE(r.out.find(std::string("\"position_ids\": [\n    ") + c.t_row), std::string::npos) << c.version << "\n" << r.out;
    EXPECT_NE(r.out.find(std::string("\"rope_deltas\": ") + c.delta), std::string::npos) << c.version << "\n" << r.out;
  }
}

TEST(HfInputs, Qwen3VlBatchWithTokenTypesAndBothConfigLayouts) {
  for (const char* config : {"qwen3vl_config_4x.json", "qwen3vl_config_5x.json"}) {
    const auto r = run_cli({"positions", "--hf-inputs", fixture("qwen3vl_batch.npz"), "--hf-config", fixture(config), "--format", "csv"});
    ASSERT_EQ(r.status, 0) << config << ": " << r.err;
    // Frame 1's first token (index 15, after x, 3 + 4 timestamp tokens, two <vs>, frame 0 and <ve>) sits at S = 13:
    // (13, 13, 13); row 1's image token 2 at (1, 1, 2).
    EXPECT_NE(r.out.find("\n0,15,video,13,13,13\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\n1,2,image,1,1,2\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(std::string("\n1,6,pad,") + (std::string(config).find("4x") != std::string::npos ? "1,1,1\n" : "0,0,0\n")),
              std::string::npos)
        << r.out;
  }
}

TEST(HfInputs, VersionComesFromTheFlagTheConfigOrTheNewestRange) {
  const auto flag = run_cli({"positions", "--hf-inputs", fixture("text_only.npz"), "--hf-config", fixture("qwen2vl_config_4x.json"),
                             "--transformers", "5.20.0", "--format", "json"});
  ASSERT_EQ(flag.status, 0) << flag.err;
  EXPECT_NE(flag.out.find("transformers 5.20.0 (--transformers)"), std::string::npos) << flag.out;
  EXPECT_NE(flag.out.find("\"rope_deltas\": [[0], [0]]"), std::string::npos) << flag.out;  // int32 ids, 5.x deltas
  const auto newest = run_cli({"positions", "--hf-inputs", fixture("qwen25vl_video.npz"), "--hf-config",
                               fixture("qwen25vl_config_unversioned.json"), "--format", "json"});
  ASSERT_EQ(newest.status, 0) << newest.err;
  EXPECT_NE(newest.out.find("transformers 5.18.0+ (the newest known"), std::string::npos) << newest.out;
  const auto bad = run_cli({"positions", "--hf-inputs", fixture("text_only.npz"), "--hf-config", fixture("qwen2vl_config_4x.json"),
                            "--transformers", "9.1.0"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("transformers 9.1.0 is outside the ranges mmrope knows for qwen2-vl: 4.45.0 to 5.1.x"), std::string::npos)
      << bad.err;
}

TEST(HfInputs, BadInputFilesAreNamedWithTheReason) {
  struct Case {
    const char* inputs;
    const char* needle;
  };
  const Case cases[] = {
      {"bad_short_image.npz", "input_ids row 0, token 2: image 0 (image_grid_thw row 0: 1x4x6) needs 6 image tokens, the run has 5"},
      {"bad_no_input_ids.npz", "has no input_ids (keys: attention_mask)"},
      {"bad_float_ids.npz", "[input_ids]: dtype float32; it must hold integers"},
      {"bad_member.npz", "bad_member.npz[input_ids]"},
      {"qwen2vl_config_4x.json", "not a .npz archive"},
  };
  for (const auto& c : cases) {
    const auto r = run_cli({"positions", "--hf-inputs", fixture(c.inputs), "--hf-config", fixture("qwen2vl_config_4x.json")});
    EXPECT_EQ(r.status, 2) << c.inputs;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << c.inputs << ": " << r.err;
  }
  const auto both = run_cli({"positions", "--hf-inputs", fixture("text_only.npz"), "--hf-config", fixture("qwen2vl_config_4x.json"),
                             "--layout", "text:3"});
  EXPECT_EQ(both.status, 2);
  EXPECT_NE(both.err.find("not both"), std::string::npos) << both.err;
  const auto half = run_cli({"positions", "--hf-inputs", fixture("text_only.npz")});
  EXPECT_EQ(half.status, 2);
  EXPECT_NE(half.err.find("give both --hf-inputs"), std::string::npos) << half.err;
}

// Members not asked for are listed, never decompressed; a key asked for but absent is simply absent.
TEST(Npz, ReadsOnlyTheKeysAskedFor) {
  const std::string_view wanted[] = {"input_ids", "second_per_grid_ts", "no_such_key"};
  const auto a = npz::read_npz(fixture("qwen25vl_video.npz"), wanted);
  EXPECT_EQ(a.keys, (std::vector<std::string>{"input_ids", "attention_mask", "video_grid_thw", "second_per_grid_ts", "pixel_values"}));
  EXPECT_EQ(a.arrays.size(), 2u);
  EXPECT_EQ(a.arrays.at("second_per_grid_ts").type, npy::ElementType::float32);
  EXPECT_EQ(a.arrays.at("second_per_grid_ts").value(0), static_cast<double>(static_cast<float>(2 / 2.4)));
  EXPECT_THROW(npz::read_npz_bytes(std::vector<std::uint8_t>{'P', 'K', 3, 4, 0}, "x.npz", wanted), Error);
  // Zero bytes are an empty archive (libzip's reading): no keys, so the inputs' reader reports the missing input_ids.
  EXPECT_TRUE(npz::read_npz_bytes({}, "x.npz", wanted).keys.empty());
}

// Both config layouts of one model read to the same values; keys left out take the class defaults.
TEST(HfConfig, FourAndFiveLayoutsReadTheSame) {
  for (const char* name : {"qwen25vl_config_4x.json", "qwen25vl_config_5x.json"}) {
    const auto c = read_hf_config(fixture(name));
    EXPECT_EQ(c.family, hf::ModelFamily::qwen2_5_vl) << name;
    EXPECT_EQ(c.frequency.rope_theta, "1000000") << name;
    EXPECT_EQ(c.frequency.head_dim, 128) << name;  // 3584 / 28
    EXPECT_EQ(c.frequency.rotary_dim, 128) << name;
    EXPECT_EQ(c.frequency.allocation, "chunked") << name;
    EXPECT_EQ(c.frequency.sections, "16,24,24") << name;
    EXPECT_EQ(c.tokens_per_second, 2) << name;
    EXPECT_EQ(c.spatial_merge_size, 2) << name;
    EXPECT_EQ(c.vocab_size, 152064) << name;
    EXPECT_EQ(c.tokens.vision_start, 151652) << name;
  }
  const auto q3 = read_hf_config(fixture("qwen3vl_config_4x.json"));
  EXPECT_EQ(q3.frequency.allocation, "interleaved");
  EXPECT_EQ(q3.frequency.rope_theta, "5000000");
  EXPECT_EQ(q3.frequency.sections, "24,20,20");
}

std::string config_error(const std::string& json) {
  try {
    parse_hf_config(json, "config.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(HfConfig, BadConfigsGetClearErrors) {
  const std::string rope = R"("rope_scaling": {"type": "mrope", "mrope_section": [16, 24, 24]}, "head_dim": 128)";
  EXPECT_NE(config_error("{").find("config.json: not valid JSON"), std::string::npos);
  EXPECT_NE(config_error("[1]").find("a config.json is a JSON object"), std::string::npos);
  EXPECT_NE(config_error("{}").find("model_type is missing"), std::string::npos);
  EXPECT_NE(config_error(R"({"model_type": "llama"})").find("model_type 'llama' is not a model"), std::string::npos);
  EXPECT_NE(config_error(R"({"model_type": "qwen2_vl", "head_dim": 128})").find("mrope_section is missing"), std::string::npos);
  EXPECT_NE(config_error(R"({"model_type": "qwen2_vl", "rope_theta": 1e6, "text_config": {"rope_theta": 5e6}, )" + rope + "}")
                .find("text_config.rope_theta ('5000000.0') and rope_theta ('1000000.0') disagree"),
            std::string::npos)
      << config_error(R"({"model_type": "qwen2_vl", "rope_theta": 1e6, "text_config": {"rope_theta": 5e6}, )" + rope + "}");
  EXPECT_NE(config_error(R"({"model_type": "qwen2_vl", "rope_scaling": {"rope_type": "yarn", "mrope_section": [16, 24, 24]}, "head_dim": 128})")
                .find("rope_type 'yarn'"),
            std::string::npos);
  EXPECT_NE(config_error(R"({"model_type": "qwen2_vl", "image_token_id": 151656, )" + rope + "}").find("must differ"), std::string::npos);
  EXPECT_NE(config_error(R"({"model_type": "qwen2_vl", "image_token_id": -1, )" + rope + "}").find("image_token_id is '-1'"),
            std::string::npos);
  EXPECT_NE(config_error(R"({"model_type": "qwen2_vl", "rope_scaling": {"type": "mrope", "mrope_section": [16, 24, 24]}})")
                .find("head_dim is missing"),
            std::string::npos);
  EXPECT_NE(config_error(R"({"model_type": "qwen2_vl", "hidden_size": 100, "num_attention_heads": 3, "rope_scaling": {"mrope_section": [1]}})")
                .find("hidden_size 100 is not a multiple of num_attention_heads 3"),
            std::string::npos);
  EXPECT_NE(config_error(std::string(100, '[') + std::string(100, ']')).find("nested deeper than 32 levels"), std::string::npos);
  EXPECT_NE(config_error(R"({"model_type": "qwen2_vl", "rope_theta": "big", )" + rope + "}").find("rope_theta is '\"big\"', expected a number"),
            std::string::npos);
}

// check judges a rotation with the positions and rotary settings the inputs and config give; the same output judged
// under another release's positions fails.
TEST(HfInputs, CheckJudgesWithTheModelsOwnPositions) {
  TempDir dir;
  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  std::vector<float> x(1 * 20 * 2 * 128);
  for (auto& v : x) v = normal(rng);
  npy::write_npy(dir.file("q.npy"), npy::make_array({1, 20, 2, 128}, std::span<const float>(x)));
  const std::vector<std::string> hf = {"--hf-inputs", fixture("qwen25vl_video.npz"), "--hf-config", fixture("qwen25vl_config_5x.json")};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.end(), hf.begin(), hf.end());
    return run_cli(args);
  };
  ASSERT_EQ(with({"rotate", "--input", dir.file("q.npy"), "--output", dir.file("r.npy"), "--dtype", "f32"}).status, 0);
  const auto pass = with({"check", "--input", dir.file("q.npy"), "--output", dir.file("r.npy"), "--dtype", "f32"});
  EXPECT_EQ(pass.status, 0) << pass.out << pass.err;
  EXPECT_NE(pass.out.find("positions: qwen2.5-vl rules of transformers 5.24.0"), std::string::npos) << pass.out;
  const auto fail = with({"check", "--input", dir.file("q.npy"), "--output", dir.file("r.npy"), "--dtype", "f32", "--transformers", "5.17.0"});
  EXPECT_EQ(fail.status, 1) << fail.out << fail.err;
  const auto mixed = with({"check", "--input", dir.file("q.npy"), "--output", dir.file("r.npy"), "--preset", "qwen2-vl"});
  EXPECT_EQ(mixed.status, 2);
  EXPECT_NE(mixed.err.find("drop --preset"), std::string::npos) << mixed.err;
}

}  // namespace
}  // namespace mmrope::cli
