// The classifier: derives the columns of the paper's Table 1 for every preset by running the laws on probe layouts.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "laws/03_text_compatibility.hpp"
#include "laws/04_no_overlap.hpp"
#include "laws/07_frequency_range.hpp"
#include "reference/presets/preset_rotary.hpp"
#include "reference/layout_spec.hpp"
#include "reference/presets/presets.hpp"

namespace mmrope::table1 {

// "yes", "no", or "-" where the paper writes "-" (a 1-D allocation has no per-axis range or granularity).
struct Row {
  std::string design;  // the preset name
  std::string structure_3d, modality_interval, freq_range, granularity, text_compatible;
  std::string reading = "library";  // whose reading of the method the preset is: "library" or "paper"
};

// Presets that are the paper's (2510.23095's) reading of a method where this library reads the method's own
// source otherwise; the table shows each beside the preset with the library's reading, labelled "paper".
struct PaperReading {
  const char* preset;          // the paper's reading
  const char* library_preset;  // this library's reading of the same method
};

inline const std::vector<PaperReading>& paper_readings() {
  static const std::vector<PaperReading> r = {
      {"rope-tie-paper", "rope-tie"},  // the frequency split interleaved between x and y, not the 2d halves
      {"il-rope-paper", "il-rope"},    // the lowest frequencies reserved for t, not the repo's interleave
  };
  return r;
}

inline bool is_paper_reading(const std::string& preset) {
  for (const auto& r : paper_readings())
    if (preset == r.preset) return true;
  return false;
}

inline const char* yes_no(bool b) { return b ? "yes" : "no"; }

// Probe layouts, in ViT patches at the presets' merge 2: the paper's document case (20 text tokens, a 32x32-token
// image, generated text), a long video of small frames (8 temporal grids of 2x2 tokens), and two images in a row.
inline std::vector<Sequence> probes(bool videos) {
  std::vector<std::string> text = {"text:20 image:1x64x64 text:4", "text:2 image:1x4x6 text:1 image:1x2x2 text:3"};
  if (videos) text.push_back("text:3 video:8x4x4 text:2");
  std::vector<Sequence> out;
  for (const auto& t : text) out.push_back(parse_layout(t));
  return out;
}

// 3-D structure: the design does not flatten a visual item onto the text line (some token off the diagonal).
inline bool keeps_3d_structure(const PositionDesign& d, const std::vector<Sequence>& layouts) {
  for (const auto& seq : layouts)
    for (const auto& tok : d.assign(seq).tokens)
      if (tok.kind != TokenKind::text && !(tok.pos.t == tok.pos.h && tok.pos.h == tok.pos.w)) return true;
  return false;
}

// Modality interval (Table 1 "Modal Int."): law 4 holds (no visual coordinate reaches the text after it) and the
// block starts one step after the text before it along the text axis t: 0 < min t - t(previous text) <= 1.
// RoPE-Tie's first patch is W' + 1 past the text and CircleRoPE's ring reaches R sqrt(2/3) before S: both large.
inline bool unit_modality_interval(const PositionDesign& d, const std::vector<Sequence>& layouts) {
  for (const auto& seq : layouts) {
    if (laws::check_overlap(d, seq).strong) return false;
    const auto tokens = d.assign(seq).tokens;
    for (std::size_t i = 1; i < tokens.size(); ++i) {
      if (tokens[i].kind == TokenKind::text || tokens[i - 1].kind != TokenKind::text) continue;
      Coordinate lo = tokens[i].pos.t;
      for (std::size_t j = i; j < tokens.size() && tokens[j].kind != TokenKind::text; ++j) lo = std::min(lo, tokens[j].pos.t);
      const Coordinate gap = lo - tokens[i - 1].pos.t;
      if (!(Coordinate(0) < gap) || Coordinate(1) < gap) return false;
    }
  }
  return true;
}

inline Row classify(const Preset& p) {
  const auto design = make_preset_design(p);
  const RotarySpec spec = rotary_spec_for(p.frequency);
  const bool one_d = spec.allocation.name() == "1d";
  const bool two_d = p.design == "rope-tie";  // RoPE-Tie is 2-D: no videos, and its t column repeats h
  const auto layouts = probes(!two_d);
  // Range and granularity over the design's own axes: h and w for RoPE-Tie, whose allocations read no t.
  const std::span<const Axis> axes = two_d ? std::span<const Axis>(laws::kSpatialAxes) : std::span<const Axis>(kAxes);
  Row r{p.name, yes_no(keeps_3d_structure(*design, layouts)), yes_no(unit_modality_interval(*design, layouts)),
        one_d ? "-" : yes_no(!laws::full_range_violation(spec.allocation, axes)),
        one_d ? "-" : yes_no(laws::full_granularity(spec.allocation, axes)),
        // 16 text tokens through the preset's full rotary spec (128 dims), compared exactly with 1-D RoPE.
        yes_no(!laws::text_compatibility_violation<double>(*design, spec, parse_layout("text:16"))),
        is_paper_reading(p.name) ? "paper" : "library"};
  return r;
}

// Every preset in presets() order, each paper reading right after the library reading of the same method.
inline std::vector<Row> derive_table() {
  std::vector<Row> rows;
  for (const auto& p : presets()) {
    if (is_paper_reading(p.name)) continue;
    rows.push_back(classify(p));
    for (const auto& r : paper_readings())
      if (p.name == r.library_preset) rows.push_back(classify(find_preset(r.preset)));
  }
  return rows;
}

inline const char* csv_header() {
  return "design,reading,3d_structure,modality_interval,freq_range,granularity,text_compatible";
}

inline std::string csv_line(const Row& r) {
  return r.design + "," + r.reading + "," + r.structure_3d + "," + r.modality_interval + "," + r.freq_range + "," +
         r.granularity + "," + r.text_compatible;
}

// The paper's Table 1 (2510.23095), its ten rows under the presets that implement them; "-" as printed there.
struct PublishedRow {
  const char* method;  // as the paper names it
  Row row;             // design = the preset
};

inline const std::vector<PublishedRow>& published_table() {
  static const std::vector<PublishedRow> t = {
      {"Vanilla RoPE", {"vanilla", "no", "yes", "-", "-", "yes"}},
      {"V2PE", {"v2pe", "no", "yes", "-", "-", "yes"}},
      {"RoPE-tie", {"rope-tie", "yes", "no", "yes", "no", "yes"}},
      {"MRoPE", {"qwen2-vl", "yes", "yes", "no", "no", "yes"}},
      {"CircleRoPE", {"circlerope", "yes", "no", "no", "no", "yes"}},
      {"VideoRoPE", {"videorope", "yes", "no", "no", "no", "yes"}},
      {"IL-RoPE", {"il-rope", "yes", "yes", "no", "no", "no"}},
      {"Omni-RoPE", {"omni-rope", "yes", "yes", "no", "no", "no"}},
      {"MHRoPE", {"mhrope", "yes", "yes", "yes", "yes", "yes"}},
      {"MRoPE-I", {"mrope-i", "yes", "yes", "yes", "no", "yes"}},
  };
  return t;
}

}  // namespace mmrope::table1
