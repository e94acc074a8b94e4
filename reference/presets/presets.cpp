// The presets' table and look-ups, compiled once.
#include "presets.hpp"

namespace mmrope {

// Values follow the released checkpoints, not the library class defaults (Qwen2.5-VL ships
// tokens_per_second 2 where the transformers class defaults to 4; Qwen3-VL ships rope_theta 5e6 where
// the class defaults to 5e5). Designs that are not a released VLM use the paper's experimental setup:
// a Qwen2.5-7B language model (rotary base 1e6, 128-dim heads) with the Qwen2.5-VL vision encoder (merge 2).
const std::vector<Preset>& presets() {
  static const std::vector<Preset> all = {
      {"qwen2-vl", "mrope", {}, {"1000000", 128, 128, "chunked", "16,24,24"},
       "Qwen2-VL configs: rope_theta 1e6, mrope_section [16,24,24], spatial_merge_size 2; transformers 4.x get_rope_index"},
      {"qwen2-vl-hf5", "mrope", {{"next_rule", "spatial-extent"}}, {"1000000", 128, 128, "chunked", "16,24,24"},
       "qwen2-vl with the transformers >= 5.3 advance rule (cursor += max(H', W'), transformers issue #45381)"},
      {"qwen2.5-vl", "mrope-absolute-time", {{"tokens_per_second", "2"}}, {"1000000", 128, 128, "chunked", "16,24,24"},
       "Qwen2.5-VL checkpoints: vision_config.tokens_per_second 2, rope_theta 1e6, mrope_section [16,24,24]"},
      {"qwen2.5-vl-int-truncated", "mrope-absolute-time", {{"tokens_per_second", "2"}, {"time_rule", "int-truncated"}},
       {"1000000", 128, 128, "chunked", "16,24,24"},
       "qwen2.5-vl as later transformers 4.5x computed it: seconds_per_grid cast to int64 first (lmms-eval #1393)"},
      {"qwen2.5-vl-hf5", "mrope-absolute-time",
       {{"tokens_per_second", "2"}, {"time_rule", "int-truncated"}, {"next_rule", "spatial-extent"}},
       {"1000000", 128, 128, "chunked", "16,24,24"},
       "qwen2.5-vl as transformers 5.3 to 5.17 compute it: int(seconds_per_grid) and cursor += max(H', W')"},
      {"qwen2.5-vl-hf4.49", "mrope-absolute-time", {{"tokens_per_second", "2"}, {"time_rule", "float32-index-first"}},
       {"1000000", 128, 128, "chunked", "16,24,24"},
       "qwen2.5-vl as its first release (transformers 4.49) computes it: (tt * seconds) * tps in float32, truncated"},
      {"qwen2.5-vl-hf5.18", "mrope-absolute-time",
       {{"tokens_per_second", "2"}, {"time_rule", "float32-seconds-first"}, {"next_rule", "spatial-extent"}},
       {"1000000", 128, 128, "chunked", "16,24,24"},
       "qwen2.5-vl as transformers >= 5.18 computes it (PR #48669): tt * (tps * seconds) in float32, truncated; cursor += max(H', W')"},
      {"qwen3-vl", "qwen3-vl", {}, {"5000000", 128, 128, "interleaved", "24,20,20"},
       "Qwen3-VL checkpoints: rope_theta 5e6, mrope_section [24,20,20], mrope_interleaved; timestamps as text"},
      {"mrope-i", "spatial-reset", {{"temporal_stride", "1"}}, {"1000000", 128, 128, "interleaved", "24,20,20"},
       "the paper's MRoPE-Interleave with spatial reset (Multimodal-RoPEs configs; temporal stride 1, its best)"},
      {"mhrope", "spatial-reset", {{"temporal_stride", "1"}}, {"1000000", 128, 128, "multi-head", "2,3,3"},
       "the paper's Multi-Head RoPE with spatial reset (Multimodal-RoPEs configs: KV heads per axis [2,3,3])"},
      {"videorope", "videorope", {{"temporal_stride", "2"}}, {"1000000", 128, 128, "videorope", "16,24,24"},
       "official VideoRoPE transformers code: scale_factor 2.0, diagonal layout, low-frequency temporal allocation"},
      {"videorope-paper", "videorope", {{"temporal_stride", "2"}, {"rule", "paper"}},
       {"1000000", 128, 128, "videorope", "16,24,24"}, "VideoRoPE as its paper's eq. 7 writes it (centre n/2, next S + delta*T)"},
      {"hope", "hope", {{"temporal_scales", "1"}}, {"1000000", 128, 128, "hope", "16,24,24"},
       "official HoPE code at inference with gamma = 1; temporal band without rotation"},
      {"circlerope", "circlerope", {}, {"1000000", 128, 128, "chunked", "16,24,24"},
       "official CircleRoPE code/config.json (alpha 0.5, radius 10, move_to_origin), Qwen2.5-VL chunked allocation"},
      {"v2pe", "v2pe", {{"visual_step_log2", "2"}}, {"1000000", 128, 128, "1d", ""},
       "official V2PE, evaluation stride 64 per 256-token tile (step 1/4)"},
      {"vanilla", "vanilla", {}, {"1000000", 128, 128, "1d", ""}, "1-D RoPE over the flattened sequence"},
      {"il-rope", "il-rope", {}, {"1000000", 128, 128, "interleaved", "24,20,20"},
       "IL-RoPE as the paper describes it (no public code): text (p,0,0), per-block spatial reset; "
       "allocation: the library's reading (the paper repo's interleave)"},
      {"il-rope-paper", "il-rope", {}, {"1000000", 128, 128, "il-rope-paper", "24,20,20"},
       "il-rope with the paper's reading of its allocation (lowest frequencies for t; 2510.23095 sec. 2.3.2), "
       "not the library's (the paper repo's interleave)"},
      {"omni-rope", "omni-rope", {}, {"1000000", 128, 128, "chunked", "16,24,24"},
       "Omni-RoPE as the OmniGen2 paper defines it: text (p,0,0), per-block spatial reset"},
      {"omni-rope-code", "omni-rope", {{"text_spatial", "index"}}, {"1000000", 128, 128, "chunked", "16,24,24"},
       "Omni-RoPE as the released OmniGen2 code computes it: text (p,p,p)"},
      {"rope-tie", "rope-tie", {}, {"1000000", 128, 128, "2d", ""},
       "Su's RoPE-Tie, integer spacing (W'+1, H'+1); frequency split: the library's reading (2d halves)"},
      {"rope-tie-paper", "rope-tie", {}, {"1000000", 128, 128, "2d-interleaved", ""},
       "rope-tie with the paper's reading of its frequency split (interleaved between x and y; 2510.23095 Table 1), "
       "not the library's (2d halves)"},
  };
  return all;
}

const Preset& find_preset(std::string_view name) { return find_named(presets(), name, "preset"); }

// The preset's design with its parameters, then the caller's overrides on top.
std::unique_ptr<PositionDesign> make_preset_design(const Preset& preset, const std::vector<std::pair<std::string, std::string>>& overrides) {
  auto values = preset.params;
  values.insert(values.end(), overrides.begin(), overrides.end());
  return make_design(preset.design, values);
}

}  // namespace mmrope
