// config.json reading with nlohmann-json: parsed under a depth limit, then each key looked up and type-checked.
#include "hf_config.hpp"

#include <cmath>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reference/error.hpp"

namespace mmrope::cli {
namespace {

using nlohmann::json;

// The places a key may sit, as "text_config.rope_parameters" paths; the value is the first place that has it,
// and every other place that has it must agree.
struct Lookup {
  const json& root;
  std::string source;

  const json* at(std::string_view path) const {
    const json* node = &root;
    std::size_t pos = 0;
    while (pos <= path.size()) {
      const std::size_t dot = std::min(path.find('.', pos), path.size());
      const std::string key(path.substr(pos, dot - pos));
      if (!node->is_object()) return nullptr;
      auto it = node->find(key);
      if (it == node->end() || it->is_null()) return nullptr;
      node = &*it;
      pos = dot + 1;
    }
    return node;
  }

  std::optional<std::pair<std::string, const json*>> find(std::initializer_list<std::string_view> paths) const {
    std::optional<std::pair<std::string, const json*>> found;
    for (auto p : paths) {
      const json* v = at(p);
      if (!v) continue;
      if (!found) {
        found = std::pair{std::string(p), v};
      } else if (*found->second != *v) {
        throw Error(source + ": " + found->first + " (" + quoted_prefix(found->second->dump()) + ") and " + std::string(p) +
                    " (" + quoted_prefix(v->dump()) + ") disagree");
      }
    }
    return found;
  }

  [[noreturn]] void bad(const std::string& key, const json& v, const char* need) const {
    throw Error(source + ": " + key + " is " + quoted_prefix(v.dump()) + ", expected " + need);
  }

  std::optional<std::int64_t> integer(std::initializer_list<std::string_view> paths, std::int64_t min, std::int64_t max) const {
    auto f = find(paths);
    if (!f) return std::nullopt;
    const json& v = *f->second;
    std::int64_t n = 0;
    if (v.is_number_integer()) {
      if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(max)) bad(f->first, v, "a smaller whole number");
      n = v.get<std::int64_t>();
    } else if (v.is_number_float() && std::isfinite(v.get<double>()) && v.get<double>() == std::floor(v.get<double>()) &&
               std::fabs(v.get<double>()) < 0x1p53) {
      n = static_cast<std::int64_t>(v.get<double>());  // 2.0 as JSON writes a Python float
    } else {
      bad(f->first, v, "a whole number");
    }
    if (n < min || n > max)
      bad(f->first, v, ("a whole number in [" + std::to_string(min) + ", " + std::to_string(max) + "]").c_str());
    return n;
  }

  // A number as exact decimal text: JSON's own digits, so 1000000.0 and 1e6 both keep their exact value.
  std::optional<std::string> number_text(std::initializer_list<std::string_view> paths) const {
    auto f = find(paths);
    if (!f) return std::nullopt;
    const json& v = *f->second;
    if (!v.is_number()) bad(f->first, v, "a number");
    if (v.is_number_float() && !std::isfinite(v.get<double>())) bad(f->first, v, "a finite number");
    return v.dump();
  }

  std::optional<std::string> text(std::initializer_list<std::string_view> paths) const {
    auto f = find(paths);
    if (!f) return std::nullopt;
    if (!f->second->is_string()) bad(f->first, *f->second, "a string");
    return f->second->get<std::string>();
  }

  std::optional<bool> boolean(std::initializer_list<std::string_view> paths) const {
    auto f = find(paths);
    if (!f) return std::nullopt;
    if (!f->second->is_boolean()) bad(f->first, *f->second, "true or false");
    return f->second->get<bool>();
  }

  std::optional<std::vector<std::int64_t>> integer_list(std::initializer_list<std::string_view> paths) const {
    auto f = find(paths);
    if (!f) return std::nullopt;
    const json& v = *f->second;
    if (!v.is_array() || v.empty() || v.size() > 16) bad(f->first, v, "a list of 1 to 16 whole numbers");
    std::vector<std::int64_t> out;
    for (const auto& e : v) {
      if (!e.is_number_integer() || e.get<std::int64_t>() < 0 || e.get<std::int64_t>() > 4096)
        bad(f->first, v, "a list of whole numbers in [0, 4096]");
      out.push_back(e.get<std::int64_t>());
    }
    return out;
  }
};

// A number's decimal text as parse_rational reads it: JSON exponents spelled out (1e6 -> 1000000).
Rational exact_number(const std::string& text, const std::string& where) {
  std::string mantissa = text;
  long exponent = 0;
  if (auto e = text.find_first_of("eE"); e != std::string::npos) {
    mantissa = text.substr(0, e);
    try {
      exponent = std::stol(text.substr(e + 1));
    } catch (...) {
      throw Error(where + ": " + quoted_prefix(text) + " is not a number mmrope reads");
    }
    if (exponent < -64 || exponent > 64) throw Error(where + ": " + quoted_prefix(text) + " is out of range");
  }
  auto q = parse_rational(mantissa);
  if (!q) throw Error(where + ": " + quoted_prefix(text) + " is not a number mmrope reads");
  const Rational scale(bmp::pow(BigInt(10), static_cast<unsigned>(std::labs(exponent))));
  return exponent >= 0 ? *q * scale : *q / scale;
}

}  // namespace

hf::ModelConfig parse_hf_config(std::string_view json_text, std::string_view source_view) {
  const std::string source(source_view);
  json root;
  try {
    root = json::parse(json_text, [](int depth, json::parse_event_t, json&) {
      if (depth > kMaxConfigDepth) throw Error("nested deeper than " + std::to_string(kMaxConfigDepth) + " levels");
      return true;
    });
  } catch (const json::exception& e) {
    throw Error(source + ": not valid JSON (" + std::string(e.what()) + ")");
  } catch (const Error& e) {
    throw Error(source + ": " + e.what());
  }
  if (!root.is_object()) throw Error(source + ": a config.json is a JSON object");
  const Lookup L{root, source};
  hf::ModelConfig c;
  c.model_type = L.text({"model_type"}).value_or("");
  if (c.model_type.empty()) throw Error(source + ": model_type is missing (save_pretrained writes it)");
  try {
    c.family = hf::family_of_model_type(c.model_type);
  } catch (const Error& e) {
    throw Error(source + ": " + e.what());
  }
  c.transformers_version = L.text({"transformers_version"});
  constexpr std::int64_t kMaxId = (std::int64_t{1} << 40);
  auto id = [&](const char* key, std::int64_t fallback) {
    const std::string nested = std::string("text_config.") + key;
    return L.integer({key, nested}, 0, kMaxId).value_or(fallback);
  };
  c.tokens.image = id("image_token_id", c.tokens.image);
  c.tokens.video = id("video_token_id", c.tokens.video);
  c.tokens.vision_start = id("vision_start_token_id", c.tokens.vision_start);
  c.tokens.vision_end = id("vision_end_token_id", c.tokens.vision_end);
  const std::int64_t ids[] = {c.tokens.image, c.tokens.video, c.tokens.vision_start, c.tokens.vision_end};
  for (int i = 0; i < 4; ++i)
    for (int j = i + 1; j < 4; ++j)
      if (ids[i] == ids[j])
        throw Error(source + ": the image, video, vision_start and vision_end token ids must differ (" + std::to_string(ids[i]) +
                    " is used twice)");
  c.vocab_size = L.integer({"text_config.vocab_size", "vocab_size"}, 1, kMaxId);
  c.spatial_merge_size = L.integer({"vision_config.spatial_merge_size"}, 1, 64).value_or(2);
  if (auto tps = L.number_text({"vision_config.tokens_per_second", "tokens_per_second"})) {
    c.tokens_per_second = exact_number(*tps, source + ": vision_config.tokens_per_second");
    if (c.tokens_per_second < 0 || c.tokens_per_second > 1000000)
      throw Error(source + ": vision_config.tokens_per_second must be in [0, 1000000], got " + *tps);
  }

  // Rotary settings: 5.x rope_parameters, 4.x rope_scaling, each in text_config or at the top.
  const auto rope_paths = [](const char* key) {
    return std::vector<std::string>{std::string("text_config.rope_parameters.") + key, std::string("rope_parameters.") + key,
                                    std::string("text_config.rope_scaling.") + key, std::string("rope_scaling.") + key};
  };
  const auto theta_paths = rope_paths("rope_theta");
  const auto section_paths = rope_paths("mrope_section");
  const auto interleaved_paths = rope_paths("mrope_interleaved");
  const auto type_paths = rope_paths("rope_type");
  const auto legacy_type_paths = rope_paths("type");
  std::optional<std::string> rope_type = L.text({type_paths[0], type_paths[1], type_paths[2], type_paths[3]});
  if (!rope_type) rope_type = L.text({legacy_type_paths[0], legacy_type_paths[1], legacy_type_paths[2], legacy_type_paths[3]});
  if (rope_type && *rope_type != "default" && *rope_type != "mrope")
    throw Error(source + ": rope_type " + quoted_prefix(*rope_type) +
                " is a rope scaling mmrope does not read from a config (default and mrope are)");
  const auto theta = L.number_text({theta_paths[0], theta_paths[1], "text_config.rope_theta", "rope_theta"});
  const bool qwen3 = c.family == hf::ModelFamily::qwen3_vl;
  c.frequency.rope_theta = theta.value_or(qwen3 ? "500000" : "1000000");  // the text configuration classes' defaults
  const Rational theta_value = exact_number(c.frequency.rope_theta, source + ": rope_theta");
  if (theta_value <= 1) throw Error(source + ": rope_theta must be greater than 1, got " + c.frequency.rope_theta);
  c.frequency.rope_theta = format_rational(theta_value);

  const auto hidden = L.integer({"text_config.hidden_size", "hidden_size"}, 1, 1 << 20);
  const auto heads = L.integer({"text_config.num_attention_heads", "num_attention_heads"}, 1, 1 << 12);
  std::optional<std::int64_t> head_dim = L.integer({"text_config.head_dim", "head_dim"}, 2, 4096);
  if (!head_dim) {
    if (!hidden || !heads) throw Error(source + ": head_dim is missing, and so is hidden_size or num_attention_heads to derive it");
    if (*hidden % *heads != 0)
      throw Error(source + ": hidden_size " + std::to_string(*hidden) + " is not a multiple of num_attention_heads " +
                  std::to_string(*heads));
    head_dim = *hidden / *heads;
  }
  c.frequency.head_dim = static_cast<int>(*head_dim);
  c.frequency.rotary_dim = c.frequency.head_dim;
  if (auto factor = L.number_text({"text_config.partial_rotary_factor", "partial_rotary_factor"})) {
    const Rational f = exact_number(*factor, source + ": partial_rotary_factor");
    if (f <= 0 || f > 1) throw Error(source + ": partial_rotary_factor must be in (0, 1], got " + *factor);
    c.frequency.rotary_dim = static_cast<int>(floor_of(Rational(*head_dim) * f));  // int(head_dim * factor)
  }
  const auto sections = L.integer_list({section_paths[0], section_paths[1], section_paths[2], section_paths[3]});
  if (!sections) throw Error(source + ": mrope_section is missing (rope_parameters or rope_scaling has it)");
  for (std::size_t i = 0; i < sections->size(); ++i) {
    if (i) c.frequency.sections += ',';
    c.frequency.sections += std::to_string((*sections)[i]);
  }
  const bool interleaved =
      L.boolean({interleaved_paths[0], interleaved_paths[1], interleaved_paths[2], interleaved_paths[3]}).value_or(false);
  c.frequency.allocation = interleaved ? "interleaved" : "chunked";
  return c;
}

hf::ModelConfig read_hf_config(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw Error(name + ": cannot be read (" + ec.message() + ")");
  if (size > kMaxConfigBytes)
    throw Error(name + ": " + std::to_string(size) + " bytes is more than a config.json can need (" +
                std::to_string(kMaxConfigBytes) + ")");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) throw Error(name + ": cannot be read");
  return parse_hf_config(text.str(), name);
}

}  // namespace mmrope::cli
