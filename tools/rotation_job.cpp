// Opens a rotation's inputs (X, positions or layouts, preset) and checks them against each other.
#include "rotation_job.hpp"

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cmath>

#include "reference/batch.hpp"
#include "reference/frequency/allocation_registry.hpp"
#include "reference/judge/tensor_check.hpp"
#include "reference/layout_spec.hpp"
#include "positions_file.hpp"

namespace mmrope::cli {
namespace {

std::vector<std::vector<Position3>> positions_from_layouts(const RotationJobOptions& o, int batch, int tokens,
                                                           std::vector<std::vector<TokenKind>>& kinds) {
  LayoutBatch lb = layout_batch(*o.design.build(), o.layouts, batch, tokens,
                                o.padding == "left" ? PaddingSide::left : PaddingSide::right,
                                o.convention == "transformers-4" ? PaddingConvention::transformers4 : PaddingConvention::transformers5);
  kinds = std::move(lb.kinds);
  return std::move(lb.positions);
}

// How many tokens the positions describe, for the hint that heads and tokens may be swapped; -1 when unknown.
std::int64_t positions_token_count(const RotationJobOptions& o) {
  try {
    if (o.positions_array) return o.positions_array->shape.empty() ? -1 : o.positions_array->shape.back();
    if (!o.positions_path.empty()) {
      const auto p = npy::read_npy(o.positions_path);
      return p.shape.empty() ? -1 : p.shape.back();
    }
    if (o.layouts.empty()) return -1;
    return o.design.build()->token_total(parse_layout(o.layouts[0]));
  } catch (const Error&) {
    return -1;
  }
}

}  // namespace

void RotationJobOptions::add_to(CLI::App& app) {
  design.add_to(app);
  app.add_option("--layout", layouts, "The layout (see `mmrope positions --help`); one, or one per batch row");
  app.add_option("--positions", positions_path,
                 "Positions .npy instead of a layout: [tokens] (1-D), [3, tokens] (t, h, w rows), or with a batch axis "
                 "[batch, tokens] / [3, batch, tokens] like transformers' position_ids; int32, int64 or float");
  app.add_option("--positions-kind", positions_kind,
                 "How the rows of --positions read: auto (from the shape and the input's batch), 1d (one position "
                 "per token, [batch, tokens]), thw ((t, h, w) rows, [3, tokens] or [3, batch, tokens]), text-thw "
                 "(transformers 5.x's four rows [text; t; h; w], the text row ignored) or thw-extra (ggml's "
                 "(t, h, w, e), the fourth ignored)")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "1d", "thw", "text-thw", "thw-extra"}));
  app.add_option("--input", input_path, "X.npy: [tokens, heads, head_dim] or [batch, tokens, heads, head_dim]; float16/32/64, "
                                        "or bf16 bit patterns as uint16/int16")
      ->required();
  app.add_option("--input-layout", input_layout,
                 "How X orders its axes: bshd [batch, tokens, heads, head_dim], bhsd [batch, heads, tokens, head_dim] "
                 "(Hugging Face's q and k), sbhd [tokens, batch, heads, head_dim], thd [tokens, heads, head_dim]; "
                 "3-D bshd is [tokens, heads, head_dim], 3-D bhsd [heads, tokens, head_dim]. Y has the same layout")
      ->capture_default_str()
      ->check(CLI::IsMember({"bshd", "bhsd", "sbhd", "thd"}));
  app.add_option("--dtype", dtype, "The output dtype")->capture_default_str()->check(CLI::IsMember({"f32", "f16", "bf16"}));
  app.add_flag("--backward", backward, "Apply R^T (the gradient dx = R^T dy) instead of R");
  app.add_option("--tensor", tensor, "query or key: which heads multi-head RoPE maps (a query head follows KV head i / (HQ/HKV))")
      ->capture_default_str()
      ->check(CLI::IsMember({"query", "key"}));
  rotary.add_to(app, /*with_head_dim=*/false);
  app.add_option("--padding", padding, "Side padded when a layout is shorter than the input's tokens")
      ->capture_default_str()
      ->check(CLI::IsMember({"left", "right"}));
  app.add_option("--padding-convention", convention, "Positions of padded slots: transformers-4 (1) or transformers-5 (0)")
      ->capture_default_str()
      ->check(CLI::IsMember({"transformers-4", "transformers-5"}));
  app.add_option("--engine", engine,
                 "fast: double-double with a proven bound, MPFR where it cannot decide; mpfr: MPFR for every element "
                 "(the same results, about 40x slower on 2 cores: docs/benchmarks.md)")
      ->capture_default_str()
      ->check(CLI::IsMember({"fast", "mpfr"}));
  app.add_option("--threads", threads, "Worker threads (0: every core); the results do not depend on it")
      ->capture_default_str()
      ->check(CLI::Range(0u, 1024u));
  hf.add_to(app);
}

judge::Options RotationJobOptions::judge_options() const {
  judge::Options o;
  o.engine = judge::parse_engine(engine);
  o.threads = threads;
  o.progress = isatty(STDERR_FILENO) != 0;
  return o;
}

RotationJob load_rotation_job(const RotationJobOptions& o) {
  std::optional<HfPositions> hf;
  if (o.hf.given()) {
    if (!o.design.preset.empty() || !o.design.design.empty() || !o.layouts.empty() || !o.positions_path.empty())
      throw Error("--hf-inputs and --hf-config give the positions and the rotary settings: drop --preset, --layout and --positions");
    hf = load_hf_positions(o.hf);
  } else {
    if (o.design.preset.empty()) throw Error("give --preset NAME (the rotary settings), or --hf-inputs and --hf-config");
    if (o.layouts.empty() == o.positions_path.empty()) throw Error("give either --layout SPEC or --positions P.npy");
  }
  RotationJob job;
  job.input = o.input_array ? o.input_array : std::make_shared<const npy::MappedArray>(o.input_path);
  const npy::MappedArray& x = *job.input;
  const auto& s = x.shape;
  if (s.size() != 3 && s.size() != 4)
    throw Error(o.input_path + ": shape " + npy::shape_string(s) +
                " is not [tokens, heads, head_dim] or [batch, tokens, heads, head_dim]");
  for (auto d : s)
    if (d <= 0 || d > (std::int64_t{1} << 30)) throw Error(o.input_path + ": every dimension must be in [1, 2^30], shape " + npy::shape_string(s));
  job.layout = TensorLayout::from_shape(s, parse_input_layout(o.input_layout), o.input_path);
  if (!npy::is_floating(x.type) && x.type != npy::ElementType::uint16 && x.type != npy::ElementType::int16)
    throw Error(o.input_path + ": input must be float16, float32, float64, or bf16 bit patterns as uint16/int16, not " +
                std::string(npy::to_string(x.type)));
  job.batch = static_cast<int>(job.layout.batch);
  job.row_shape = {static_cast<int>(job.layout.tokens), static_cast<int>(job.layout.heads), static_cast<int>(job.layout.head_dim)};
  job.dtype = parse_dtype(o.dtype == "f32" ? "fp32" : o.dtype == "f16" ? "fp16" : "bf16");
  job.role = o.tensor == "key" ? TensorRole::key : TensorRole::query;

  FrequencySettings f = o.rotary.apply(hf ? hf->config.frequency : find_preset(o.design.preset).frequency);
  if (hf && f.head_dim != job.row_shape.head_dim)
    throw Error(o.input_path + ": head_dim " + std::to_string(job.row_shape.head_dim) + " differs from the config's " +
                std::to_string(f.head_dim) + " (" + o.hf.config_path + ")");
  job.spec = rotary_spec_for_tensor(f, o.rotary.overrides(), job.row_shape.heads, job.row_shape.head_dim);

  if (hf) {
    const hf::RopeIndex& index = hf->index;
    if (index.batch != job.batch || index.length != job.row_shape.tokens)
      throw Error(o.input_path + ": " + std::to_string(job.batch) + " rows of " + std::to_string(job.row_shape.tokens) +
                  " tokens, but input_ids in " + o.hf.inputs_path + " is [" + std::to_string(index.batch) + ", " +
                  std::to_string(index.length) + "]" + job.layout.hint_for_tokens(s, index.length));
    for (std::int64_t b = 0; b < index.batch; ++b) {
      job.positions.push_back(index.row_positions(b));
      const auto first = index.kinds.begin() + b * index.length;
      job.kinds.emplace_back(first, first + index.length);
    }
    job.label = hf->rules.preset + " (" + o.hf.config_path + ", transformers " + hf->version + ")";
    job.hf_summary = hf->summary();
  } else {
    try {
      const PositionsKind kind = parse_positions_kind(o.positions_kind);
      job.positions = o.positions_array ? positions_from_array(*o.positions_array, job.batch, job.row_shape.tokens, kind, o.positions_path)
                      : o.positions_path.empty() ? positions_from_layouts(o, job.batch, job.row_shape.tokens, job.kinds)
                                                 : read_positions_file(o.positions_path, job.batch, job.row_shape.tokens, kind);
    } catch (const Error& e) {
      throw Error(e.what() + job.layout.hint_for_tokens(s, positions_token_count(o)));
    }
    job.label = o.design.preset;
  }
  job.backward = o.backward;
  judge::validate(job.problem());
  return job;
}

judge::Problem RotationJob::problem() const {
  judge::Problem p;
  p.spec = spec;
  p.role = role;
  p.direction = backward ? Direction::backward : Direction::forward;
  p.dtype = dtype;
  p.row = row_shape;
  p.positions = positions;
  p.kinds = kinds;
  if (p.kinds.empty())  // a positions file says no kinds: a token off the diagonal t = h = w is taken as visual
    for (const auto& row : positions) {
      p.kinds.emplace_back();
      for (const auto& q : row) p.kinds.back().push_back(q.t == q.h && q.h == q.w ? TokenKind::text : TokenKind::image);
    }
  return p;
}

judge::ValueReader RotationJob::input_values() const {
  std::shared_ptr<const npy::MappedArray> x = input;
  if (npy::is_floating(x->type))
    return reordered(layout, judge::ValueReader([x](std::int64_t first, std::span<double> out) { x->read_values(first, out); }));
  return reordered(layout, judge::ValueReader([x](std::int64_t first, std::span<double> out) {
    std::vector<std::uint32_t> bits(out.size());
    x->read_bits(first, bits);
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = decode_bits(bits[i] & 0xffffu, DType::bf16);
  }));
}

ConventionRange RotationJob::convention_range(Convention convention, const ErrorModel& model) const {
  const auto plan = make_frequency_plan<Mpfr256>(spec);
  const std::size_t row_size = row_shape.size();
  const judge::ValueReader read = input_values();
  ConventionRange out;
  out.dtype = dtype;
  std::vector<double> row(row_size);
  for (int b = 0; b < batch; ++b) {
    read(static_cast<std::int64_t>(b) * static_cast<std::int64_t>(row_size), row);
    ConventionBounds<Mpfr256> bounds(plan, positions[b], convention, model);
    const auto y = bounds.apply(row, row_shape, role, backward ? Direction::backward : Direction::forward, dtype);
    out.low.insert(out.low.end(), y.low.begin(), y.low.end());
    out.high.insert(out.high.end(), y.high.begin(), y.high.end());
  }
  return out;
}

npy::ElementType output_type(DType dtype) {
  switch (dtype) {
    case DType::fp32: return npy::ElementType::float32;
    case DType::fp16: return npy::ElementType::float16;
    case DType::bf16: return npy::ElementType::uint16;
  }
  return npy::ElementType::float32;
}

}  // namespace mmrope::cli
