// libFuzzer harness: fuzzed input_ids, masks and grids through hf::rope_index under every family and version range.
//
// Input: byte 0 picks the family and the range; byte 1 the batch (1-4), byte 2 the length (1-64); then one byte per
// slot: bits 0-2 pick the id (text, <vs>, <ve>, image, video, pad, an id past the vocabulary), bit 7 masks the slot
// out; then up to 4 image and 4 video grids of 3 bytes (each 1-8; H and W odd or even at random), then seconds.
// An mmrope::Error is an accepted outcome. Accepted inputs must satisfy what get_rope_index promises: every padded
// slot holds the convention's value, every real text token has t = h = w, and rope_delta = max + 1 - divisor.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "reference/error.hpp"
#include "reference/hf/rope_index.hpp"

namespace {

struct Reader {
  const std::uint8_t* data;
  std::size_t size, pos = 0;
  std::uint8_t next() { return pos < size ? data[pos++] : 0; }
  bool more() const { return pos < size; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mmrope;
  using namespace mmrope::hf;
  Reader r{data, size};
  std::vector<const VersionRules*> usable;
  for (const auto& v : version_table())
    if (!v.preset.empty()) usable.push_back(&v);
  const VersionRules& rules = *usable[r.next() % usable.size()];
  ModelConfig config;
  config.family = rules.family;
  config.model_type = "fuzz";
  config.vocab_size = 152064;
  config.tokens_per_second = 2;
  RopeIndexInputs in;
  in.batch = 1 + r.next() % 4;
  in.length = 1 + r.next() % 64;
  const std::int64_t ids[] = {100, config.tokens.vision_start, config.tokens.vision_end, config.tokens.image,
                              config.tokens.video, 151643, 152064, 7};
  std::vector<std::int64_t> mask;
  bool any_masked = false;
  for (std::int64_t i = 0; i < in.batch * in.length; ++i) {
    const std::uint8_t b = r.next();
    in.input_ids.push_back(ids[b & 7]);
    mask.push_back(b & 0x80 ? 0 : 1);
    any_masked = any_masked || (b & 0x80);
  }
  if (any_masked) in.attention_mask = mask;
  const std::uint8_t shape = r.next();
  auto grids = [&](int n) {
    std::vector<GridTHW> g;
    for (int k = 0; k < n; ++k) g.push_back({1 + r.next() % 8, 1 + r.next() % 8, 1 + r.next() % 8});
    return g;
  };
  if (shape & 1) in.image_grid_thw = grids(shape >> 1 & 3);
  if (shape & 8) {
    in.video_grid_thw = grids(shape >> 4 & 3);
    if (shape & 0x40) {
      std::vector<Rational> s;
      for (std::size_t k = 0; k < in.video_grid_thw->size(); ++k) s.push_back(Rational(1 + r.next(), 1 + r.next() % 16));
      in.second_per_grid_ts = s;
    }
  }
  RopeIndex x;
  try {
    x = rope_index(in, config, rules);
  } catch (const Error&) {
    return 0;
  }
  const std::int64_t pad = rules.padding.pad_value;
  for (std::int64_t b = 0; b < x.batch; ++b) {
    std::int64_t max = INT64_MIN, real = 0;
    for (std::int64_t i = 0; i < x.length; ++i) {
      const TokenKind k = x.kinds[static_cast<std::size_t>(b * x.length + i)];
      const bool masked = in.attention_mask && (*in.attention_mask)[static_cast<std::size_t>(b * x.length + i)] == 0;
      if (masked != (k == TokenKind::pad)) __builtin_trap();
      if (k == TokenKind::pad) {
        for (int a = 0; a < 3; ++a)
          if (x.at(a, b, i) != pad) __builtin_trap();
        continue;
      }
      ++real;
      if (k == TokenKind::text && (x.at(0, b, i) != x.at(1, b, i) || x.at(1, b, i) != x.at(2, b, i))) __builtin_trap();
      for (int a = 0; a < 3; ++a) max = std::max(max, x.at(a, b, i));
    }
    if (real != x.real_tokens[static_cast<std::size_t>(b)]) __builtin_trap();
    const std::int64_t divisor = rules.padding.delta_over_padded_length ? x.length : real;
    std::int64_t next = max + 1;
    const bool text_only = !in.image_grid_thw && !in.video_grid_thw;
    if (text_only && rules.padding.text_only_branch && real < x.length) next = std::max(next, pad + 1);
    // The spatial-extent rule's next position is also max + 1 (decoding continues past the largest position).
    const std::int64_t delta = rules.padding.delta_clamped_at_zero ? std::max<std::int64_t>(next - divisor, 0) : next - divisor;
    if (x.rope_deltas[static_cast<std::size_t>(b)] != delta) __builtin_trap();
  }
  return 0;
}
