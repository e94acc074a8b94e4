// libFuzzer harness: a preset with fuzzed design parameters over a fuzzed layout must keep every layout law it claims.
//
// Input, read byte by byte (a short input reads as zeros): a preset; for each parameter the laws vary for it
// (properties/param_domain.hpp) a mode byte (keep the preset's value, a value inside the declared domain, or any
// text-ish value the library must refuse) and the value; a layout of up to 8 segments (text runs, images, videos
// with or without seconds per grid); then the laws' own choices (decoded tokens, chunk cuts, rotary pairs).
// Invalid parameters or layouts must be refused with an mmrope::Error (the input is then skipped); a crash, a
// sanitizer report or a law the preset claims failing is a bug: the harness prints a reproducing
// `mmrope positions` command line and aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "properties/claims.hpp"
#include "properties/laws/03_text_compatibility.hpp"
#include "properties/laws/04_no_overlap.hpp"
#include "properties/laws/05_disentangled_motion.hpp"
#include "properties/laws/08_decode_continuation.hpp"
#include "properties/laws/09_chunked_prefill.hpp"
#include "properties/param_domain.hpp"
#include "reference/presets/preset_rotary.hpp"

namespace {

using namespace mmrope;

// The laws compare tokens pairwise (law 4's weak form is text x visual): a small cap keeps an input fast.
constexpr std::int64_t kMaxLawTokens = 1024;

// Reads the input front to back; past its end every read gives 0, so a short input is still a whole case.
class ByteReader {
 public:
  ByteReader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  std::uint64_t bits(int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | byte();
    return v;
  }
  // An integer in [lo, hi] (hi - lo < 2^32).
  std::int64_t in_range(std::int64_t lo, std::int64_t hi) {
    const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
    return lo + static_cast<std::int64_t>(bits(span > 256 ? (span > 65536 ? 4 : 2) : 1) % span);
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_, pos_ = 0;
};

// A magnitude from the whole int64 range, small values most often (extremes by the top bits).
std::int64_t any_integer(ByteReader& in) {
  const std::uint8_t shape = in.byte();
  const std::int64_t v = shape & 0x80 ? static_cast<std::int64_t>(in.bits(8)) : static_cast<std::int64_t>(in.bits(1) >> (shape & 7));
  return shape & 0x40 ? -v : v;
}

// The text of a value for a parameter: a value of its declared domain up to the generators' caps (mode 1), or
// anything the parser may or may not accept (mode 2: huge, negative, zero denominators, non-numbers).
std::string value_text(ByteReader& in, const domain::VariedParam& p, int mode) {
  const ParamSpec& s = p.spec;
  if (s.kind == ParamKind::choice) {
    const std::size_t k = in.byte();
    return k < s.choices.size() * 8 ? s.choices[k % s.choices.size()] : "not-a-choice";
  }
  auto one_rational = [&] {
    if (mode == 2) {
      const std::int64_t n = any_integer(in), d = any_integer(in);
      return std::to_string(n) + (in.byte() & 1 ? "/" + std::to_string(d) : "");
    }
    const std::int64_t lo = s.bound == ParamSpec::Bound::any ? -domain::kMaxMagnitude : 0;
    const std::int64_t n = in.in_range(lo, domain::kMaxMagnitude), d = in.in_range(1, domain::kMaxMagnitude);
    // A positive bound (seconds_per_grid) excludes 0: use the smallest value the generators use instead.
    if (n <= 0 && s.bound == ParamSpec::Bound::positive) return std::string("1/") + std::to_string(domain::kMaxMagnitude);
    return std::to_string(n) + "/" + std::to_string(d);
  };
  switch (s.kind) {
    case ParamKind::integer:
      if (mode == 2) return std::to_string(any_integer(in));
      return std::to_string(in.in_range(domain::min_integer(s), p.max_integer));
    case ParamKind::rational: return one_rational();
    case ParamKind::rational_list: {
      const int n = in.byte() % 2 ? 1 : static_cast<int>(domain::kScaleListLength) + in.byte() % 3;
      std::string text;
      for (int i = 0; i < n; ++i) text += (i ? "," : "") + one_rational();
      return text;
    }
    case ParamKind::choice: break;
  }
  return s.default_value;
}

// A layout of 1..8 segments; grids are in LLM tokens times `merge` (what the design will divide by).
Sequence read_layout(ByteReader& in, std::int64_t merge) {
  Sequence seq;
  const int n = 1 + in.byte() % 8;
  for (int i = 0; i < n; ++i) {
    const std::uint8_t kind = in.byte() % 4;
    if (kind < 2) {
      seq.segments.emplace_back(TextRun{1 + in.byte() % 16});
      continue;
    }
    const std::int64_t h = 1 + in.byte() % 32, w = 1 + in.byte() % 32;
    if (kind == 2) {
      seq.segments.emplace_back(Image{{1, h * merge, w * merge}});
      continue;
    }
    Video v{{1 + in.byte() % 16, h * merge, w * merge}, std::nullopt};
    const std::uint8_t sec = in.byte();
    if (sec & 1) v.seconds_per_grid = Rational(1 + in.byte(), 1 + in.byte());  // positive: from 1/256 to 256
    seq.segments.emplace_back(v);
  }
  return seq;
}

[[noreturn]] void violated(const char* law, const std::string& why, const std::string& preset,
                           const std::vector<std::pair<std::string, std::string>>& params, const Sequence& layout) {
  std::fprintf(stderr, "layout law violated: %s: %s\n  reproduce: %s\n", law, why.c_str(),
               domain::command_line(preset, params, domain::layout_text(layout)).c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;
  ByteReader in(data, size);
  const auto& all = presets();
  const Preset& preset = all[in.byte() % all.size()];

  std::vector<std::pair<std::string, std::string>> params;
  for (const auto& p : domain::varied_params(preset)) {
    const int mode = in.byte() % 4;  // 0: the preset's value, 1 and 3: inside the domain, 2: anything
    if (mode != 0) params.emplace_back(p.spec.name, value_text(in, p, mode == 3 ? 1 : mode));
  }
  std::unique_ptr<PositionDesign> design;
  try {
    design = make_preset_design(preset, params);
  } catch (const Error&) {
    return 0;  // refused by the parameter validation: the expected outcome for a bad value
  }
  const std::int64_t merge = design->merge_size();
  if (merge > domain::kMaxMergeSize) return 0;  // grids of 32 x merge must fit int64; the laws' generators stop here too
  const Sequence layout = read_layout(in, merge);
  const std::int64_t decoded = 1 + in.byte() % 4;
  std::vector<std::int64_t> text_cuts;
  std::vector<bool> chunk_starts;
  for (std::size_t i = 0; i < layout.segments.size(); ++i) text_cuts.push_back(in.byte() % 16);
  for (std::size_t i = 0; i < 2 * layout.segments.size(); ++i) chunk_starts.push_back(in.byte() & 1);
  const int pairs = 3 + in.byte() % 6;
  const std::string& name = preset.name;

  try {
    if (design->token_total(layout) > kMaxLawTokens) return 0;
    // Laws 4 and 8 append text: an overflowing position is refused here, before any law runs.
    Sequence longer = layout;
    longer.segments.emplace_back(TextRun{decoded});
    design->assign(longer);
  } catch (const Error&) {
    return 0;
  }
  // The reproduction names every varied parameter, the kept ones at the preset's value, as the properties print cases.
  std::vector<std::pair<std::string, std::string>> shown;
  for (const auto& p : domain::varied_params(preset)) shown.emplace_back(p.spec.name, domain::value_of(preset, params, p.spec.name));
  auto fail = [&](const char* law, const std::string& why) { violated(law, why, name, shown, layout); };
  try {
    if (claims::text_compatible(name)) {
      Sequence text_only;
      for (const auto& s : layout.segments)
        if (!is_visual(s)) text_only.segments.push_back(s);
      if (text_only.segments.empty()) text_only.segments.emplace_back(TextRun{2});
      const RotarySpec spec = laws::small_preset_spec(preset, pairs);
      if (auto why = laws::text_compatibility_violation<double>(*design, spec, text_only, 2)) fail("law 3 (text compatibility)", *why);
    }
    const auto rotated = laws::rotated_axes(rotary_spec_for(preset.frequency).allocation);
    const laws::OverlapResult overlap = laws::check_overlap(*design, layout, rotated);
    if (claims::no_overlap_strong(name) && overlap.strong) fail("law 4 (no overlap, strong)", *overlap.strong);
    if (claims::no_overlap_weak(name, design->params()) && overlap.weak) fail("law 4 (no overlap, weak)", *overlap.weak);
    const bool disentangled = claims::disentangled_motion(name), entangled = claims::entangled_motion(name);
    if (disentangled || entangled) {
      const laws::VideoTokens video = laws::first_video(*design, layout);
      if (auto why = laws::motion_violation(*design, video, entangled))
        fail(entangled ? "law 5 (entangled motion, eq. 3)" : "law 5 (disentangled motion)", *why);
    }
    if (claims::decode_continuation(name))
      if (auto why = laws::decode_violation(*design, layout, decoded)) fail("law 8 (decode continuation)", *why);
    if (claims::chunked_prefill(name, design->params()))
      if (auto why = laws::chunked_prefill_violation(*design, laws::cut_into_chunks(layout, text_cuts, chunk_starts)))
        fail("law 9 (chunked prefill)", *why);
  } catch (const Error& e) {
    // The layout with the appended text was accepted above; the laws only append as much or re-place
    // prefixes of it (behind at most kMaxChunkOffset text tokens), which must be accepted as well.
    std::fprintf(stderr, "a law's sequence was refused (%s)\n  reproduce: %s\n", e.what(),
                 domain::command_line(name, shown, domain::layout_text(layout)).c_str());
    std::abort();
  }
  return 0;
}
