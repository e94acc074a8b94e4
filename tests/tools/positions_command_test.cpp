// `mmrope positions`: output formats, batches, overrides and the one-line errors with exit status 2.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cli_runner.hpp"

namespace mmrope {
namespace {

TEST(PositionsCommand, CsvOfQwen2VlImage) {
  auto r = run_cli({"positions", "--preset", "qwen2-vl", "--layout", "text:3 image:1x4x6 text:2"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out,
            "index,kind,t,h,w\n"
            "0,text,0,0,0\n1,text,1,1,1\n2,text,2,2,2\n"
            "3,image,3,3,3\n4,image,3,3,4\n5,image,3,3,5\n6,image,3,4,3\n7,image,3,4,4\n8,image,3,4,5\n"
            "9,text,6,6,6\n10,text,7,7,7\n");
}


// JSON: next_position is the block maximum + 1 after the last item (here the text after the image at 4, so
// 5), and rope_delta = next_position - tokens = 5 - 7.
TEST(PositionsCommand, JsonAddsNextPositionAndRopeDelta) {
  auto r = run_cli({"positions", "--preset", "qwen2-vl", "--layout", "text:2 image:1x4x4 text:1", "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find(R"({"index": 5, "kind": "image", "t": 2, "h": 3, "w": 3})"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(R"({"index": 6, "kind": "text", "t": 4, "h": 4, "w": 4})"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(R"("next_position": 5)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(R"("rope_delta": -2)"), std::string::npos) << r.out;
}

// A batch: the CSV gains a batch column; left padding puts the pads first, and the transformers 4.x
// convention (the default) gives them (1, 1, 1).
TEST(PositionsCommand, BatchPadsLeftWithTransformers4Ones) {
  auto r = run_cli({"positions", "--preset", "qwen2-vl", "--layout", "text:2 image:1x4x4", "--layout", "text:3", "--padding", "left"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out,
            "batch,index,kind,t,h,w\n"
            "0,0,text,0,0,0\n0,1,text,1,1,1\n0,2,image,2,2,2\n0,3,image,2,2,3\n0,4,image,2,3,2\n0,5,image,2,3,3\n"
            "1,0,pad,1,1,1\n1,1,pad,1,1,1\n1,2,pad,1,1,1\n1,3,text,0,0,0\n1,4,text,1,1,1\n1,5,text,2,2,2\n");
}

// transformers 5.x: pads are (0, 0, 0) and rope_delta counts real tokens only (row 1: 3 - 3 = 0); under 4.x
// it counts the padded length (3 - 6 = -3). Row 0 has no padding: 4 - 6 = -2 either way.
TEST(PositionsCommand, PaddingConventionsDifferInPadsAndDeltas) {
  const std::vector<std::string> base = {"positions", "--preset", "qwen2-vl", "--layout", "text:2 image:1x4x4",
                                         "--layout", "text:3", "--format", "json", "--padding-convention"};
  auto with = [&](const char* convention) {
    std::vector<std::string> args = base;
    args.push_back(convention);
    return run_cli(args);
  };
  const auto five = with("transformers-5"), four = with("transformers-4");
  ASSERT_EQ(five.status, 0) << five.err;
  ASSERT_EQ(four.status, 0) << four.err;
  EXPECT_NE(five.out.find(R"({"index": 3, "kind": "pad", "t": 0, "h": 0, "w": 0})"), std::string::npos) << five.out;
  EXPECT_NE(four.out.find(R"({"index": 3, "kind": "pad", "t": 1, "h": 1, "w": 1})"), std::string::npos) << four.out;
  const auto deltas = [](const std::string& out) {
    std::vector<std::string> d;
    for (std::size_t at = out.find("\"rope_delta\": "); at != std::string::npos; at = out.find("\"rope_delta\": ", at + 1))
      d.push_back(out.substr(at + 14, out.find_first_of(",\n}", at + 14) - at - 14));
    return d;
  };
  EXPECT_EQ(deltas(five.out), (std::vector<std::string>{"-2", "0"}));
  EXPECT_EQ(deltas(four.out), (std::vector<std::string>{"-2", "-3"}));
}

TEST(PositionsCommand, PadToLengthensEveryRow) {
  auto r = run_cli({"positions", "--preset", "qwen2-vl", "--layout", "text:3", "--pad-to", "5"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "index,kind,t,h,w\n0,text,0,0,0\n1,text,1,1,1\n2,text,2,2,2\n3,pad,1,1,1\n4,pad,1,1,1\n");
}

// Every mistake: exit status 2 and one line that names it (and, in a batch, which --layout).
TEST(PositionsCommand, ErrorsNameTheMistake) {
  const struct {
    std::vector<std::string> args;
    const char* message;
  } cases[] = {
      {{"positions", "--preset", "qwen2-vl"}, "give --layout SPEC"},
      {{"positions", "--preset", "qwen2-vl", "--layout", "text:2", "--layout", "text:x"},
       "--layout 2: layout item 1 ('text:x'): token count 'x' is not a whole number"},
      {{"positions", "--preset", "qwen2-vl", "--layout", "text:2", "--output", "x.npy"}, "--output and --deltas-output go with --hf-inputs"},
      {{"positions", "--preset", "qwen2-vl", "--layout", "text:3", "--pad-to", "2"}, "pad length 2 is shorter than the longest sequence (3 tokens)"},
      {{"positions", "--preset", "qwen2-vl", "--layout", "text:3", "--format", "xml"}, "--format"},
  };
  for (const auto& c : cases) {
    auto r = run_cli(c.args);
    EXPECT_EQ(r.status, 2) << c.message;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.out, "") << c.message;
  }
}

// --engine kernel prints what the reference prints, byte for byte, in both formats and under both conventions
// (rational designs included: VideoRoPE's paper rule centres by halves); circlerope is refused, naming the engine.
TEST(PositionsCommand, KernelEnginePrintsTheReferencesOutput) {
  for (const std::string preset : {"qwen2-vl", "qwen2.5-vl", "qwen3-vl", "v2pe", "hope", "rope-tie", "il-rope"})
    for (const std::string format : {"csv", "json"})
      for (const std::string convention : {"transformers-4", "transformers-5"}) {
        std::vector<std::string> args = {"positions", "--preset", preset, "--layout", "text:3 image:1x4x6 text:2",
                                         "--layout", "text:1", "--padding", "left", "--padding-convention", convention,
                                         "--format", format};
        const auto want = run_cli(args);
        args.insert(args.end(), {"--engine", "kernel"});
        const auto got = run_cli(args);
        ASSERT_EQ(want.status, 0) << want.err;
        ASSERT_EQ(got.status, 0) << got.err;
        EXPECT_EQ(got.out, want.out) << preset << " " << format << " " << convention;
      }
  const auto paper = run_cli({"positions", "--design", "videorope", "--param", "rule=paper", "--layout", "text:1 image:1x6x4 text:1",
                              "--engine", "kernel", "--format", "json"});
  ASSERT_EQ(paper.status, 0) << paper.err;
  EXPECT_NE(paper.out.find(R"({"index": 1, "kind": "image", "t": 1, "h": -0.5, "w": 0})"), std::string::npos) << paper.out;
  const auto circle = run_cli({"positions", "--preset", "circlerope", "--layout", "text:1 image:1x4x4", "--engine", "kernel"});
  EXPECT_EQ(circle.status, 2);
  EXPECT_NE(circle.err.find("--engine reference"), std::string::npos) << circle.err;
}

}  // namespace
}  // namespace mmrope
