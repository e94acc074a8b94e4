// Reads INPUTS.npz and config.json, picks the transformers rules, and runs get_rope_index on them.
#include "hf_inputs.hpp"

#include <CLI/CLI.hpp>

#include <cmath>

#include "hf_config.hpp"
#include "npz.hpp"

namespace mmrope::cli {
namespace {

const npy::Array* key(const npz::Archive& a, const char* name) {
  auto it = a.arrays.find(name);
  return it == a.arrays.end() ? nullptr : &it->second;
}

std::string where(const npz::Archive& a, const char* name) { return a.source + "[" + name + "]"; }

// Integer arrays (int32 or int64, as torch's long tensors become) of the expected rank.
std::vector<std::int64_t> integers(const npz::Archive& a, const char* name, const npy::Array& x, std::size_t rank,
                                   const char* shape_text) {
  if (x.type != npy::ElementType::int64 && x.type != npy::ElementType::int32 && x.type != npy::ElementType::uint16 &&
      x.type != npy::ElementType::int16)
    throw Error(where(a, name) + ": dtype " + std::string(npy::to_string(x.type)) + "; it must hold integers (int64 or int32)");
  if (x.shape.size() != rank)
    throw Error(where(a, name) + ": shape " + npy::shape_string(x.shape) + ", expected " + shape_text);
  std::vector<std::int64_t> out(static_cast<std::size_t>(x.size()));
  for (std::int64_t i = 0; i < x.size(); ++i) {
    const std::uint64_t bits = x.bits(i);
    const std::size_t size = npy::item_size(x.type);
    // Sign-extend the little-endian pattern of a signed type.
    std::int64_t v = static_cast<std::int64_t>(bits);
    if (x.type != npy::ElementType::uint16 && size < 8) {
      const unsigned shift = static_cast<unsigned>(64 - 8 * size);
      v = static_cast<std::int64_t>(bits << shift) >> shift;
    }
    out[static_cast<std::size_t>(i)] = v;
  }
  return out;
}

std::vector<GridTHW> grids(const npz::Archive& a, const char* name, const npy::Array& x) {
  const auto v = integers(a, name, x, 2, "[items, 3]");
  if (x.shape[1] != 3) throw Error(where(a, name) + ": shape " + npy::shape_string(x.shape) + ", expected [items, 3] (t, h, w)");
  std::vector<GridTHW> out;
  for (std::size_t i = 0; i < v.size(); i += 3) {
    const GridTHW g{v[i], v[i + 1], v[i + 2]};
    if (g.t <= 0 || g.h <= 0 || g.w <= 0 || g.t > kMaxTokensPerSequence || g.h > kMaxTokensPerSequence || g.w > kMaxTokensPerSequence)
      throw Error(where(a, name) + ": row " + std::to_string(i / 3) + " (" + std::to_string(g.t) + ", " + std::to_string(g.h) +
                  ", " + std::to_string(g.w) + ") must hold three counts in [1, " + std::to_string(kMaxTokensPerSequence) + "]");
    out.push_back(g);
  }
  return out;
}

hf::RopeIndexInputs read_inputs(const npz::Archive& a) {
  hf::RopeIndexInputs in;
  const npy::Array* ids = key(a, "input_ids");
  if (!ids) throw Error(a.source + ": has no input_ids (keys: " + [&] {
                          std::string k;
                          for (const auto& s : a.keys) k += (k.empty() ? "" : ", ") + s;
                          return k.empty() ? std::string("none") : k;
                        }() + ")");
  if (ids->shape.size() == 1) {  // one unbatched sequence
    in.batch = 1;
    in.length = ids->shape[0];
    in.input_ids = integers(a, "input_ids", *ids, 1, "[batch, length]");
  } else {
    in.input_ids = integers(a, "input_ids", *ids, 2, "[batch, length]");
    in.batch = ids->shape[0];
    in.length = ids->shape[1];
  }
  if (in.batch == 0 || in.length == 0) throw Error(where(a, "input_ids") + ": is empty (shape " + npy::shape_string(ids->shape) + ")");
  if (const npy::Array* m = key(a, "attention_mask")) {
    if (m->type == npy::ElementType::float32 || m->type == npy::ElementType::float64 || m->type == npy::ElementType::float16)
      throw Error(where(a, "attention_mask") + ": dtype " + std::string(npy::to_string(m->type)) + "; a mask holds integers 0 and 1");
    if (m->shape != ids->shape)
      throw Error(where(a, "attention_mask") + ": shape " + npy::shape_string(m->shape) + " differs from input_ids' " +
                  npy::shape_string(ids->shape));
    in.attention_mask = integers(a, "attention_mask", *m, m->shape.size(), "the shape of input_ids");
  }
  if (const npy::Array* g = key(a, "image_grid_thw")) in.image_grid_thw = grids(a, "image_grid_thw", *g);
  if (const npy::Array* g = key(a, "video_grid_thw")) in.video_grid_thw = grids(a, "video_grid_thw", *g);
  if (const npy::Array* s = key(a, "second_per_grid_ts")) {
    if (s->type != npy::ElementType::float32 && s->type != npy::ElementType::float64 && s->type != npy::ElementType::int64 &&
        s->type != npy::ElementType::int32)
      throw Error(where(a, "second_per_grid_ts") + ": dtype " + std::string(npy::to_string(s->type)) + "; expected float32");
    if (s->shape.size() != 1)
      throw Error(where(a, "second_per_grid_ts") + ": shape " + npy::shape_string(s->shape) + ", expected [videos]");
    std::vector<Rational> seconds;
    for (std::int64_t i = 0; i < s->size(); ++i) {
      const double v = s->value(i);
      if (!std::isfinite(v) || v <= 0 || v > 1e6)
        throw Error(where(a, "second_per_grid_ts") + ": value " + std::to_string(i) + " is " + std::to_string(v) +
                    "; seconds per grid must be positive and at most 1e6");
      seconds.push_back(Rational(v));  // exact: every double is a rational
    }
    in.second_per_grid_ts = std::move(seconds);
  }
  return in;
}

// mm_token_type_ids, when given (5.x processors return it), must say what the ids say: 0 text, 1 image, 2 video.
void check_token_types(const npz::Archive& a, const hf::RopeIndexInputs& in, const hf::ModelConfig& c) {
  const npy::Array* t = key(a, "mm_token_type_ids");
  if (!t) return;
  const npy::Array& ids = a.arrays.at("input_ids");
  if (t->shape != ids.shape)
    throw Error(where(a, "mm_token_type_ids") + ": shape " + npy::shape_string(t->shape) + " differs from input_ids' " +
                npy::shape_string(ids.shape));
  const auto types = integers(a, "mm_token_type_ids", *t, t->shape.size(), "the shape of input_ids");
  for (std::size_t i = 0; i < types.size(); ++i) {
    const std::int64_t id = in.input_ids[i];
    const std::int64_t expect = id == c.tokens.image ? 1 : id == c.tokens.video ? 2 : 0;
    if (in.attention_mask && (*in.attention_mask)[i] == 0) continue;
    if (types[i] != expect)
      throw Error(where(a, "mm_token_type_ids") + ": row " + std::to_string(i / static_cast<std::size_t>(in.length)) + ", token " +
                  std::to_string(i % static_cast<std::size_t>(in.length)) + " is " + std::to_string(types[i]) +
                  " but input_ids holds id " + std::to_string(id) + " there (type " + std::to_string(expect) + ")");
  }
}

}  // namespace

void HfInputOptions::add_to(CLI::App& app) {
  app.add_option("--hf-inputs", inputs_path,
                 "INPUTS.npz: get_rope_index's inputs as numpy.savez writes them (input_ids [B, L]; optional "
                 "attention_mask, image_grid_thw, video_grid_thw, second_per_grid_ts, mm_token_type_ids)");
  app.add_option("--hf-config", config_path, "The model's config.json (save_pretrained's file, 4.x or 5.x layout)");
  app.add_option("--transformers", transformers,
                 "The transformers release whose get_rope_index rules apply (default: config.json's "
                 "transformers_version, else the newest known; see docs/layout-rules.md)");
}

std::string HfPositions::summary() const {
  return std::string(hf::to_string(config.family)) + " rules of transformers " + version + " (" + version_source +
         "): preset " + rules.preset + ", padding " + rules.padding.name();
}

HfPositions load_hf_positions(const HfInputOptions& o) {
  if (o.inputs_path.empty() || o.config_path.empty()) throw Error("give both --hf-inputs INPUTS.npz and --hf-config config.json");
  HfPositions out;
  out.config = o.config_json ? parse_hf_config(*o.config_json, o.config_path) : read_hf_config(o.config_path);
  if (o.transformers) {
    out.version = *o.transformers;
    out.version_source = "--transformers";
  } else if (out.config.transformers_version) {
    out.version = *out.config.transformers_version;
    out.version_source = "config.json transformers_version; --transformers chooses another";
  }
  if (out.version.empty()) {
    out.rules = hf::newest_rules(out.config.family);
    out.version = out.rules.first.to_string() + "+";
    out.version_source = "the newest known; --transformers chooses another";
  } else {
    out.rules = hf::rules_for(out.config.family, hf::parse_version(out.version));
  }
  const npz::Archive archive = o.inputs ? *o.inputs : npz::read_npz(o.inputs_path, kHfInputKeys);
  const auto inputs = read_inputs(archive);
  check_token_types(archive, inputs, out.config);
  out.index = hf::rope_index(inputs, out.config, out.rules);
  return out;
}

}  // namespace mmrope::cli
