// `mmrope verify`: runs the kernels (GPU if present, else the host backend) against the exact reference, table out.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "kernels/core/dtype_conversion.hpp"
#include "kernels/core/kv_append_check.hpp"
#include "kernels/host/apply_rotary_host.hpp"
#include "kernels/host/build_positions_host.hpp"
#include "kernels/host/cos_sin_cache.hpp"
#include "kernels/host/cos_sin_cache_check.hpp"
#include "kernels/host/fp8_cache_check.hpp"
#include "kernels/host/kv_append_host.hpp"
#include "kernels/host/error_bound.hpp"
#include "kernels/host/kernel_frequency_table.hpp"
#include "kernels/host/position_plan_builder.hpp"
#include "kernels/host/reference_check.hpp"
#include "reference/presets/preset_rotary.hpp"
#include "reference/layout_spec.hpp"
#include "reference/presets/presets.hpp"
#ifdef MMROPE_HAVE_CUDA
#include "kernels/cuda/mirrored_launch.hpp"
#endif
#include "subcommands.hpp"

namespace mmrope::cli {
namespace {

using kernels::TensorLayout;

struct VerifyOptions {
  bool quick = false;
  std::string engine = "fast";
};

// The presets whose designs give integer positions (kernels take integers; v2pe and circlerope do not).
const std::vector<std::string>& verified_presets(bool quick) {
  static const std::vector<std::string> all = {"qwen2-vl", "qwen2.5-vl", "qwen3-vl", "mrope-i", "mhrope", "videorope",
                                               "hope", "vanilla", "il-rope", "omni-rope", "rope-tie"};
  static const std::vector<std::string> some = {"qwen2-vl", "qwen3-vl", "mhrope", "hope", "vanilla", "rope-tie"};
  return quick ? some : all;
}

// What a row runs: the training kernel (apply_rotary), a decode step with its KV-cache write, or the position
// builder (its host twin) on a left-padded batch.
enum class RowKind { rotate, decode, positions };

// What a decode-kind row appends: decode steps, a prefill chunk (the phase on the fly or from an fp32 cos/sin
// cache), or decode steps into an fp8 e4m3 cache.
enum class AppendMode { decode, prefill, prefill_cos_sin, fp8 };

// One row of the matrix: its positions (per token, the design's layout moved to the magnitude, or the decode
// step's positions just below it) and the launch.
struct Row {
  std::string preset;
  DType dtype;
  TensorLayout layout;  // rotate rows
  std::int64_t magnitude;
  Direction direction;
  RowKind kind = RowKind::rotate;
  kernels::CacheLayout cache = kernels::CacheLayout::paged;  // decode rows
  int batch = 1;                                            // decode rows
  bool transformers5 = false;                               // positions rows: the padding convention
  AppendMode mode = AppendMode::decode;                     // decode rows
};

const char* name_of(DType t) { return t == DType::fp32 ? "fp32" : t == DType::fp16 ? "fp16" : "bf16"; }
const char* name_of(TensorLayout l) { return l == TensorLayout::bshd ? "bshd" : l == TensorLayout::sbhd ? "sbhd" : "thd"; }
std::string kind_of(const Row& r) {
  if (r.kind == RowKind::positions) return "positions";
  if (r.kind == RowKind::rotate) return "rotate";
  if (r.mode == AppendMode::prefill) return "prefill";
  if (r.mode == AppendMode::prefill_cos_sin) return "prefill-cs";
  return (r.mode == AppendMode::fp8 ? "fp8-b" : "decode-b") + std::to_string(r.batch);
}
std::string layout_of(const Row& r) {
  if (r.kind == RowKind::rotate) return name_of(r.layout);
  if (r.kind == RowKind::positions) return r.transformers5 ? "t5" : "t4";
  return r.cache == kernels::CacheLayout::paged ? "paged" : "contig";
}

// The design's positions of a small prompt (text, an image, text), as integers, or nothing if not integers.
std::optional<std::vector<std::array<std::int64_t, 3>>> design_positions(const Preset& preset) {
  const auto design = make_preset_design(preset);
  const SequencePositions seq = design->assign(parse_layout("text:3 image:1x4x6 text:2"));
  std::vector<std::array<std::int64_t, 3>> out;
  for (const TokenPosition& t : seq.tokens) {
    std::array<std::int64_t, 3> p{};
    for (Axis a : kAxes) {
      if (!t.pos[a].is_integer_value()) return std::nullopt;
      p[static_cast<int>(a)] = t.pos[a].to_int64();
    }
    out.push_back(p);
  }
  return out;
}

struct RowResult {
  double max_ulp = 0;
  std::size_t elements = 0;
  std::size_t cancelling = 0;  // elements beyond the contract but within their own bound
  bool passed = false;
  std::string failure;
};

// A row's result from its verdict: elements past the contract but within their own bound are counted, not failed.
RowResult row_result(const kernels::KernelVerdict& v) {
  RowResult r;
  r.max_ulp = v.max_ulp();
  r.elements = v.elements();
  r.cancelling = v.q.beyond_contract + v.k.beyond_contract - v.q.beyond_element_bound - v.k.beyond_element_bound;
  r.passed = v.passed();
  if (!r.passed) r.failure = v.describe();
  return r;
}

// Random inputs of a dtype, from a normal distribution (exact in the dtype).
void fill_normal(std::vector<std::uint8_t>& buffer, DType dtype, std::mt19937_64& rng) {
  std::normal_distribution<double> normal(0.0, 1.0);
  const std::size_t count = buffer.size() / static_cast<std::size_t>(kernels::element_bytes(dtype));
  for (std::size_t i = 0; i < count; ++i) {
    const double v = normal(rng);
    switch (dtype) {
      case DType::fp32: reinterpret_cast<float*>(buffer.data())[i] = static_cast<float>(v); break;
      case DType::fp16: reinterpret_cast<std::uint16_t*>(buffer.data())[i] = kernels::double_to_fp16_bits(v); break;
      case DType::bf16: reinterpret_cast<std::uint16_t*>(buffer.data())[i] = kernels::double_to_bf16_bits(v); break;
    }
  }
}

RowResult run_row(const Row& row, const Preset& preset, const std::vector<std::array<std::int64_t, 3>>& base_positions,
                  bool use_gpu, std::mt19937_64& rng, judge::Engine engine, unsigned judge_threads) {
  RotaryOverrides overrides;
  int q_heads = 4, k_heads = 2;
  if (preset.frequency.allocation == "multi-head") q_heads = 8, k_heads = 8;  // one KV head per section entry
  const RotarySpec spec = rotary_spec_for(preset.frequency, overrides);
  const kernels::KernelFrequencyTable table = kernels::kernel_frequency_table(spec);
  // Two sequences: the layout moved so its largest coordinate is the magnitude, and once more 7 below it.
  std::int64_t largest = 0;
  for (const auto& p : base_positions)
    for (std::int64_t v : p) largest = std::max(largest, v);
  const std::int64_t per_sequence = static_cast<std::int64_t>(base_positions.size()), tokens = 2 * per_sequence;
  std::vector<std::int64_t> positions(static_cast<std::size_t>(3 * tokens));
  for (std::int64_t n = 0; n < tokens; ++n)
    for (int a = 0; a < 3; ++a)
      positions[a * tokens + n] = base_positions[n % per_sequence][a] + row.magnitude - largest - (n < per_sequence ? 0 : 7);
  kernels::RotaryKernelParams p;
  p.dtype = row.dtype;
  p.layout = row.layout;
  p.batch = 2;
  p.seqlen = per_sequence;
  std::vector<std::int32_t> cu_seqlens = {0, static_cast<std::int32_t>(per_sequence), static_cast<std::int32_t>(tokens)};
  if (row.layout == TensorLayout::thd) p.cu_seqlens = cu_seqlens.data(), p.total_tokens = tokens;
  p.head_dim = spec.head_dim;
  p.rotary_dim = spec.rotary_dim;
  p.pairing = table.pairing;
  p.direction = row.direction;
  p.positions.values = positions.data();
  p.positions.type = kernels::PositionType::int64;
  p.positions.axes = 3;
  p.positions.axis_stride = tokens;
  p.frequencies = table.args();
  const std::size_t bytes = static_cast<std::size_t>(kernels::element_bytes(row.dtype));
  const std::size_t q_count = static_cast<std::size_t>(tokens) * q_heads * spec.head_dim;
  const std::size_t k_count = static_cast<std::size_t>(tokens) * k_heads * spec.head_dim;
  std::vector<std::uint8_t> q_in(q_count * bytes), k_in(k_count * bytes), q_out(q_in.size()), k_out(k_in.size());
  fill_normal(q_in, row.dtype, rng);
  fill_normal(k_in, row.dtype, rng);
  p.q = kernels::contiguous_tensor(q_in.data(), q_out.data(), row.layout, 2, per_sequence, q_heads, spec.head_dim);
  p.k = kernels::contiguous_tensor(k_in.data(), k_out.data(), row.layout, 2, per_sequence, k_heads, spec.head_dim);
  RowResult r;
  if (use_gpu) {
#ifdef MMROPE_HAVE_CUDA
    const int error = kernels::apply_rotary_cuda_mirrored(
        p, {{q_in.data(), q_in.size()}, {k_in.data(), k_in.size()}, {q_out.data(), q_out.size()},
            {k_out.data(), k_out.size()}, {positions.data(), positions.size() * 8}, {cu_seqlens.data(), cu_seqlens.size() * 4},
            {table.turn_frequencies.data(), table.turn_frequencies.size() * sizeof(kernels::TurnFrequency)},
            {table.axis_of.data(), table.axis_of.size()}});
    if (error != 0) {
      r.failure = "CUDA error " + std::to_string(error);
      return r;
    }
#endif
  } else {
    kernels::apply_rotary_host(p);
  }
  return row_result(kernels::check_against_reference(spec, p, engine, judge_threads));
}

// A decode step: `batch` sequences with different cache lengths (3 new tokens each at batch 1, speculative
// decoding; 1 at larger batches), rope deltas that put the last new token at the magnitude (odd sequences 7
// below), q rotated in place, k rotated into a contiguous or paged cache (16-token blocks in reverse order), v
// copied. Judged as the training rows: q and the cached k against the reference at the step's positions.
RowResult run_decode_row(const Row& row, const Preset& preset, const std::vector<std::array<std::int64_t, 3>>& base_positions,
                         bool use_gpu, std::mt19937_64& rng, judge::Engine engine, unsigned judge_threads) {
  int q_heads = 4, kv_heads = 2;
  if (preset.frequency.allocation == "multi-head") q_heads = 8, kv_heads = 8;
  const RotarySpec spec = rotary_spec_for(preset.frequency, RotaryOverrides{});
  const kernels::KernelFrequencyTable table = kernels::kernel_frequency_table(spec);
  const bool prefill = row.mode == AppendMode::prefill || row.mode == AppendMode::prefill_cos_sin;
  const int batch = prefill ? 2 : row.batch, head_dim = spec.head_dim;
  const int chunk = static_cast<int>(base_positions.size());
  const int new_tokens = prefill ? chunk : batch == 1 ? 3 : 1;
  std::vector<std::int64_t> lengths, deltas;
  for (int b = 0; b < batch; ++b) {
    lengths.push_back(5 + 3 * b);
    deltas.push_back(row.magnitude - (b % 2 ? 7 : 0) - lengths.back() - (new_tokens - 1));
  }
  const std::int64_t tokens = static_cast<std::int64_t>(batch) * new_tokens;
  // A prefill chunk: both sequences append the design's layout (moved to the magnitude, the second 7 below; as
  // it is, rows < 64 of the cos/sin cache, in cos/sin-cache rows), [3, tokens] int64.
  std::int64_t largest = 0;
  for (const auto& q : base_positions)
    for (std::int64_t v : q) largest = std::max(largest, v);
  std::vector<std::int64_t> positions(static_cast<std::size_t>(3 * tokens));
  std::vector<std::int32_t> cu = {0, new_tokens, 2 * new_tokens};
  if (prefill)
    for (std::int64_t n = 0; n < tokens; ++n)
      for (int a = 0; a < 3; ++a)
        positions[static_cast<std::size_t>(a * tokens + n)] =
            base_positions[static_cast<std::size_t>(n % chunk)][static_cast<std::size_t>(a)] +
            (row.mode == AppendMode::prefill ? row.magnitude - largest - (n < chunk ? 0 : 7) : 0);
  const kernels::CosSinCache cos_sin = kernels::build_cos_sin_cache(table, 64);
  const std::size_t bytes = static_cast<std::size_t>(kernels::element_bytes(row.dtype));
  std::vector<std::uint8_t> q(static_cast<std::size_t>(tokens) * q_heads * head_dim * bytes);
  std::vector<std::uint8_t> k(static_cast<std::size_t>(tokens) * kv_heads * head_dim * bytes), v(k.size());
  for (auto* b : {&q, &k, &v}) fill_normal(*b, row.dtype, rng);
  const std::vector<std::uint8_t> q_original = q;
  const std::int64_t max_seq = lengths.back() + new_tokens, block_size = 16;
  const int blocks_per_sequence = static_cast<int>((max_seq + block_size - 1) / block_size);
  const std::int64_t slots = row.cache == kernels::CacheLayout::paged ? batch * blocks_per_sequence * block_size : batch * max_seq;
  std::vector<std::uint8_t> k_cache(static_cast<std::size_t>(slots) * kv_heads * head_dim * bytes), v_cache(k_cache.size());
  std::vector<std::int32_t> block_table(static_cast<std::size_t>(batch) * blocks_per_sequence);
  for (std::size_t i = 0; i < block_table.size(); ++i) block_table[i] = static_cast<std::int32_t>(block_table.size() - 1 - i);
  kernels::KvAppendParams p;
  p.dtype = row.dtype;
  p.pairing = table.pairing;
  p.head_dim = head_dim;
  p.rotary_dim = spec.rotary_dim;
  p.frequencies = table.args();
  p.batch = batch;
  p.new_tokens = new_tokens;
  p.q_heads = q_heads;
  p.kv_heads = kv_heads;
  p.q = {q.data(), q.data(), static_cast<std::int64_t>(q_heads) * head_dim, head_dim};
  p.k = {k.data(), nullptr, static_cast<std::int64_t>(kv_heads) * head_dim, head_dim};
  p.v = {v.data(), nullptr, static_cast<std::int64_t>(kv_heads) * head_dim, head_dim};
  p.cache_lengths = lengths.data();
  p.rope_deltas = deltas.data();
  p.cache.k = k_cache.data();
  p.cache.v = v_cache.data();
  p.cache.layout = row.cache;
  p.cache.slot_stride = static_cast<std::int64_t>(kv_heads) * head_dim;
  p.cache.head_stride = head_dim;
  p.cache.max_seq = max_seq;
  p.cache.block_table = block_table.data();
  p.cache.max_blocks = blocks_per_sequence;
  p.cache.block_size = static_cast<int>(block_size);
  p.cache.num_blocks = static_cast<std::int64_t>(block_table.size());
  std::vector<std::uint8_t> k_fp8(k_cache.size() / bytes), v_fp8(k_fp8.size());
  if (row.mode == AppendMode::fp8) {  // an fp8 e4m3 cache with per-tensor scales
    p.cache.k = k_fp8.data(), p.cache.v = v_fp8.data();
    p.cache.fp8_e4m3 = true;
    p.cache.k_scale = 0.25, p.cache.v_scale = 0.375;
  }
  if (prefill) {
    p.cu_new_tokens = cu.data();
    p.total_tokens = tokens;
    p.positions.values = positions.data();
    p.positions.type = kernels::PositionType::int64;
    p.positions.axes = 3;
    p.positions.axis_stride = tokens;
  }
  if (row.mode == AppendMode::prefill_cos_sin) p.cos_sin_cache = cos_sin.args();
  RowResult r;
  if (use_gpu) {
#ifdef MMROPE_HAVE_CUDA
    unsigned faults = 0;
    const int error = kernels::apply_kv_append_cuda_mirrored(
        p, {{q.data(), q.size()}, {k.data(), k.size()}, {v.data(), v.size()}, {k_cache.data(), k_cache.size()},
            {v_cache.data(), v_cache.size()}, {block_table.data(), block_table.size() * 4}, {lengths.data(), lengths.size() * 8},
            {deltas.data(), deltas.size() * 8}, {k_fp8.data(), k_fp8.size()}, {v_fp8.data(), v_fp8.size()},
            {positions.data(), positions.size() * 8}, {cu.data(), cu.size() * 4},
            {cos_sin.values.data(), cos_sin.values.size() * sizeof(float)},
            {table.turn_frequencies.data(), table.turn_frequencies.size() * sizeof(kernels::TurnFrequency)},
            {table.axis_of.data(), table.axis_of.size()}},
        &faults);
    if (error != 0 || faults != 0) {
      r.failure = "CUDA error " + std::to_string(error) + ", faults: " + kernels::kv_append_fault_text(faults) + "\n";
      return r;
    }
#endif
  } else {
    kernels::apply_kv_append_host(p);
  }
  if (row.mode == AppendMode::prefill_cos_sin) return row_result(kernels::check_cos_sin_cache_rotation(p, q_original.data()));
  kernels::KernelVerdict verdict = kernels::check_kv_append_against_reference(spec, p, q_original.data(), nullptr, engine, judge_threads);
  if (row.mode == AppendMode::fp8) verdict.k = kernels::check_fp8_cache_against_reference(spec, p).k;  // in e4m3 ulps
  return row_result(verdict);
}

// The position builder's batch (three rows, left-padded) against the reference's assign_batch: every token's kind
// and (t, h, w), every row's next position and rope delta, exactly. Its "elements" are the values compared.
RowResult run_positions_row(const Row& row) {
  const auto design = make_preset_design(find_preset(row.preset));
  const bool videos = design->name() != "rope-tie";  // RoPE-Tie defines single images only
  std::vector<Sequence> batch{parse_layout("text:3 image:1x4x6 text:2"), parse_layout("text:2")};
  batch.push_back(parse_layout(videos ? "text:5 video:3x4x8@1/2 text:1 image:1x8x4 text:2" : "text:5 image:1x8x6 text:1 image:1x8x4 text:2"));
  const PaddingConvention convention = row.transformers5 ? PaddingConvention::transformers5 : PaddingConvention::transformers4;
  const BatchPositions want = assign_batch(*design, batch, PaddingSide::left, convention);
  const BatchPositions got = kernels::as_batch_positions(
      kernels::build_positions_host(kernels::make_position_plan(*design, batch, PaddingSide::left, convention)));
  RowResult r;
  r.passed = true;
  for (std::size_t b = 0; b < want.rows.size(); ++b) {
    const SequencePositions &w = want.rows[b], &g = got.rows.at(b);
    for (std::size_t i = 0; i < w.tokens.size(); ++i) {
      r.elements += 3;
      if (g.tokens.at(i).kind != w.tokens[i].kind || !(g.tokens[i].pos == w.tokens[i].pos)) {
        if (r.passed)
          r.failure = "  row " + std::to_string(b) + " token " + std::to_string(i) + ": the builder gives (" +
                      g.tokens[i].pos.t.to_string() + ", " + g.tokens[i].pos.h.to_string() + ", " + g.tokens[i].pos.w.to_string() +
                      "), the reference (" + w.tokens[i].pos.t.to_string() + ", " + w.tokens[i].pos.h.to_string() + ", " +
                      w.tokens[i].pos.w.to_string() + ")\n";
        r.passed = false;
      }
    }
    r.elements += 2;
    if (!(g.next_position == w.next_position) || !(g.rope_delta == w.rope_delta)) {
      if (r.passed) r.failure = "  row " + std::to_string(b) + ": next position or rope delta differs\n";
      r.passed = false;
    }
  }
  return r;
}

std::string magnitude_label(std::int64_t m) {
  for (int e = 0; e <= 31; ++e)
    if ((std::int64_t{1} << e) - 1 == m) return "2^" + std::to_string(e) + "-1";
  return std::to_string(m);
}

}  // namespace

Command add_verify_command(CLI::App& app) {
  auto opts = std::make_shared<VerifyOptions>();
  CLI::App* sub = app.add_subcommand("verify", "Check the RoPE kernels against the exact reference, in ulps");
  sub->footer(
      "Runs the kernels -- on the GPU when one is present, otherwise the host backend, which runs the same\n"
      "arithmetic on the CPU -- over presets x dtypes x layouts x position magnitudes up to 2^31 - 1 x forward and\n"
      "backward, then decode steps (batch 1 and 64, a contiguous and a paged KV cache: kind decode-bN), prefill\n"
      "chunks (kind prefill; prefill-cs reads an fp32 cos/sin cache and is judged against the exact rotation by\n"
      "its values) and decode steps into an fp8 e4m3 cache (kind fp8-b8: the cache in e4m3 ulps of the exact\n"
      "value over the scale, each within 0.5 ulp plus the double's rounding), and judges\n"
      "every output (the decode's q and its cached k) against the exact reference (MPFR) in ulps of its dtype. The contract\n"
      "(docs/error-model.md): at most 1 ulp for fp32, fp16 and bf16. Rows of kind positions run the kernels'\n"
      "position builder on a left-padded batch and must equal the reference's positions exactly.\n"
      "Exit status 1 if any row fails.");
  sub->add_flag("--quick", opts->quick, "A smaller matrix (seconds on two cores)");
  sub->add_option("--engine", opts->engine, "The judge: fast (double-double with a proven bound) or mpfr (the same verdicts)")
      ->capture_default_str()
      ->check(CLI::IsMember({"fast", "mpfr"}));
  return {sub, [opts](std::ostream& out) {
            const auto start = std::chrono::steady_clock::now();
            bool use_gpu = false;
#ifdef MMROPE_HAVE_CUDA
            use_gpu = kernels::cuda_device_present();
#endif
            const bool progress = isatty(STDERR_FILENO) != 0;
            const std::vector<std::int64_t> magnitudes =
                opts->quick ? std::vector<std::int64_t>{(1 << 10) - 1, (1 << 20) - 1, (std::int64_t{1} << 31) - 1}
                            : std::vector<std::int64_t>{15, (1 << 10) - 1, (1 << 16) - 1, (1 << 20) - 1, (1 << 24) - 1,
                                                        (1 << 28) - 1, (std::int64_t{1} << 31) - 1};
            std::vector<Row> rows;
            for (const std::string& preset : verified_presets(opts->quick))
              for (DType dtype : {DType::fp32, DType::fp16, DType::bf16})
                for (TensorLayout layout : {TensorLayout::bshd, TensorLayout::sbhd, TensorLayout::thd})
                  for (std::int64_t m : magnitudes)
                    for (Direction d : {Direction::forward, Direction::backward})
                      rows.push_back({preset, dtype, layout, m, d});
            // Decode steps with the KV-cache write: both caches, batch 1 (3 speculative tokens) and 64.
            for (const std::string& preset : verified_presets(opts->quick))
              for (DType dtype : {DType::fp32, DType::fp16, DType::bf16})
                for (kernels::CacheLayout cache : {kernels::CacheLayout::contiguous, kernels::CacheLayout::paged})
                  for (int batch : {1, 64})
                    for (std::int64_t m : {magnitudes[magnitudes.size() / 2], magnitudes.back()})
                      rows.push_back({preset, dtype, TensorLayout::bshd, m, Direction::forward, RowKind::decode, cache, batch});
            // Prefill chunks (the phase on the fly at both magnitudes, and from a cos/sin cache) into both caches,
            // and decode steps (batch 8) into an fp8 e4m3 cache.
            for (const std::string& preset : verified_presets(opts->quick))
              for (DType dtype : {DType::fp32, DType::fp16, DType::bf16})
                for (kernels::CacheLayout cache : {kernels::CacheLayout::contiguous, kernels::CacheLayout::paged}) {
                  for (std::int64_t m : {magnitudes[magnitudes.size() / 2], magnitudes.back()})
                    rows.push_back({preset, dtype, TensorLayout::bshd, m, Direction::forward, RowKind::decode, cache, 2, false,
                                    AppendMode::prefill});
                  rows.push_back({preset, dtype, TensorLayout::bshd, 63, Direction::forward, RowKind::decode, cache, 2, false,
                                  AppendMode::prefill_cos_sin});
                  rows.push_back({preset, dtype, TensorLayout::bshd, magnitudes.back(), Direction::forward, RowKind::decode,
                                  cache, 8, false, AppendMode::fp8});
                }
            // The position builder: every preset with exact positions, both padding conventions.
            for (const Preset& preset : presets())
              if (preset.design != "circlerope" && (!opts->quick || preset.name.rfind("qwen", 0) == 0 || preset.design == "v2pe" ||
                                                    preset.design == "hope" || preset.design == "rope-tie"))
                for (bool t5 : {false, true})
                  rows.push_back({preset.name, DType::bf16, TensorLayout::bshd, 0, Direction::forward, RowKind::positions,
                                  kernels::CacheLayout::paged, 1, t5});
            out << "backend: " << (use_gpu ? "CUDA (GPU)" : "host (the kernels' arithmetic on the CPU; no GPU found)")
                << "\ncontract: max error <= " << kernels::kContractUlps << " ulp of the output dtype\n\n";
            out << std::left << std::setw(12) << "preset" << std::setw(11) << "kind" << std::setw(6) << "dtype" << std::setw(7) << "layout"
                << std::setw(9) << "|pos|" << std::setw(5) << "dir" << std::right << std::setw(9) << "max ulp"
                << std::setw(7) << "bound" << "  result\n";
            // The rows run side by side, one per core (each row's judge on one thread: a row is small), and print
            // in order. Row i draws its inputs from its own generator, seeded from i: verify is reproducible for
            // any number of cores. On a GPU the rows run one after the other.
            const judge::Engine engine = judge::parse_engine(opts->engine);
            std::map<std::string, std::vector<std::array<std::int64_t, 3>>> preset_positions;
            for (const Row& row : rows) {
              if (row.kind == RowKind::positions || preset_positions.count(row.preset)) continue;
              const auto positions = design_positions(find_preset(row.preset));
              if (!positions) throw Error("preset " + row.preset + " has non-integer positions");
              preset_positions.emplace(row.preset, *positions);
            }
            std::vector<RowResult> results(rows.size());
            std::vector<std::exception_ptr> errors(rows.size());
            std::atomic<std::size_t> next{0}, done{0};
            const auto work = [&] {
              for (std::size_t i; (i = next++) < rows.size();) {
                try {
                  std::mt19937_64 rng(20261123 + i);  // fixed: verify is reproducible
                  const Row& row = rows[i];
                  results[i] = row.kind == RowKind::positions ? run_positions_row(row)
                               : row.kind == RowKind::decode
                                   ? run_decode_row(row, find_preset(row.preset), preset_positions.at(row.preset), use_gpu, rng,
                                                    engine, use_gpu ? 0u : 1u)
                                   : run_row(row, find_preset(row.preset), preset_positions.at(row.preset), use_gpu, rng,
                                             engine, use_gpu ? 0u : 1u);
                } catch (...) {
                  errors[i] = std::current_exception();
                }
                ++done;
              }
            };
            const unsigned cores = use_gpu ? 1u : std::max(1u, std::thread::hardware_concurrency());
            std::vector<std::thread> pool;
            for (unsigned t = 1; t < std::min<std::size_t>(cores, rows.size()); ++t) pool.emplace_back(work);
            if (progress) {
              std::thread reporter([&] {
                while (done < rows.size()) {
                  std::cerr << "\rverify: " << done << "/" << rows.size() << " rows" << std::flush;
                  std::this_thread::sleep_for(std::chrono::milliseconds(250));
                }
              });
              work();
              for (auto& t : pool) t.join();
              reporter.join();
            } else {
              work();
              for (auto& t : pool) t.join();
            }
            std::size_t failed = 0, elements = 0;
            for (std::size_t i = 0; i < rows.size(); ++i) {
              if (errors[i]) std::rethrow_exception(errors[i]);
              const Row& row = rows[i];
              const RowResult& r = results[i];
              elements += r.elements;
              if (!r.passed) ++failed;
              std::ostringstream ulp;
              ulp << std::fixed << std::setprecision(3) << r.max_ulp;
              std::ostringstream bound;
              bound << kernels::kContractUlps;
              const bool exact = row.kind == RowKind::positions;  // compared for equality: no dtype, ulps or direction
              out << std::left << std::setw(12) << row.preset + " " << std::setw(11) << kind_of(row) << std::setw(6)
                  << (exact ? "-" : name_of(row.dtype)) << std::setw(7) << layout_of(row) << std::setw(9)
                  << (exact ? "-" : magnitude_label(row.magnitude)) << std::setw(5)
                  << (exact ? "-" : row.direction == Direction::forward ? "fwd" : "bwd") << std::right << std::setw(9)
                  << (exact ? "exact" : ulp.str()) << std::setw(7) << (exact ? std::string("=") : bound.str()) << "  "
                  << (r.passed ? "pass" : "FAIL")
                  << (r.cancelling ? " (" + std::to_string(r.cancelling) + " cancelling outputs within their bound)" : "")
                  << "\n";
              if (!r.passed) out << r.failure;
            }
            if (progress) std::cerr << "\r" << std::string(40, ' ') << "\r";
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            out << "\n" << rows.size() - failed << " of " << rows.size() << " rows pass (" << elements
                << " elements judged, " << std::fixed << std::setprecision(1) << seconds << " s)\n";
            return failed == 0 ? 0 : 1;
          }};
}

}  // namespace mmrope::cli
