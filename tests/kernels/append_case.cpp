// The KV-append test case: buffers, the test's own cache map, and the judgement against the reference.
#include "append_case.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "kernel_case.hpp"
#include "kernels/host/kv_append_host.hpp"
#include "kernels/host/error_bound.hpp"
#include "reference/judge/judge_engine.hpp"

namespace mmrope::kernels::testing {

AppendData make_append_data(const AppendCase& c, std::mt19937_64& rng) {
  AppendData d;
  d.c = c;
  d.table = kernel_frequency_table(c.spec());
  for (Buffer* b : {&d.q, &d.q_original, &d.k, &d.v, &d.k_cache, &d.v_cache}) b->dtype = c.dtype;
  d.token_stride_q = static_cast<std::int64_t>(c.q_heads) * c.head_dim + c.token_gap;
  d.token_stride_kv = static_cast<std::int64_t>(c.kv_heads) * c.head_dim + c.token_gap;
  d.q.resize(c.tokens() * d.token_stride_q);
  d.k.resize(c.tokens() * d.token_stride_kv);
  d.v.resize(c.tokens() * d.token_stride_kv);
  for (Buffer* b : {&d.q, &d.k, &d.v})
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(b->bytes.size() / b->width()); ++i)
      b->set(i, round_to_bits(Mpfr256(random_value(c.dtype, rng)), c.dtype));
  d.q_original = d.q;
  // The cache. Contiguous: every (sequence, index) below max_seq has its slot. Paged: only the blocks the new
  // tokens touch get physical blocks, drawn in no particular order (as a real allocator's) from a pool with
  // spares nobody owns; the table's other entries name random blocks, which the step must not read.
  std::int64_t longest = 0;
  for (int b = 0; b < c.batch(); ++b) longest = std::max(longest, c.cache_lengths[b] + c.tokens_of(b));
  d.max_seq = longest + 2;
  const int blocks_per_sequence = static_cast<int>((d.max_seq + c.block_size - 1) / c.block_size);
  int num_blocks = 0;
  if (c.cache == CacheKind::contiguous) {
    d.slots = c.batch() * d.max_seq;
    for (int b = 0; b < c.batch(); ++b)
      for (std::int64_t i = 0; i < d.max_seq; ++i) d.slot_of[{b, i}] = b * d.max_seq + i;
  } else {
    std::map<std::pair<int, std::int64_t>, int> touched;  // (sequence, logical block) -> physical block
    for (int b = 0; b < c.batch(); ++b)
      for (int i = 0; i < c.tokens_of(b); ++i) touched.emplace(std::pair{b, (c.cache_lengths[b] + i) / c.block_size}, 0);
    num_blocks = static_cast<int>(touched.size()) + 3;
    std::vector<int> order(static_cast<std::size_t>(num_blocks));
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    std::size_t next = 0;
    for (auto& [key, block] : touched) block = order[next++];
    d.block_table.resize(static_cast<std::size_t>(c.batch()) * static_cast<std::size_t>(blocks_per_sequence));
    for (auto& entry : d.block_table) entry = static_cast<std::int32_t>(rng() % static_cast<unsigned>(num_blocks));
    for (const auto& [key, block] : touched) {
      d.block_table[static_cast<std::size_t>(key.first) * static_cast<std::size_t>(blocks_per_sequence) +
                    static_cast<std::size_t>(key.second)] = block;
      for (int o = 0; o < c.block_size; ++o)
        d.slot_of[{key.first, key.second * c.block_size + o}] = static_cast<std::int64_t>(block) * c.block_size + o;
    }
    d.slots = static_cast<std::int64_t>(num_blocks) * c.block_size;
    for (int b = 0; b < c.batch(); ++b)
      for (int i = 0; i < c.tokens_of(b); ++i) d.slot_mapping.push_back(d.slot_of.at({b, c.cache_lengths[b] + i}));
  }
  const std::int64_t slot_stride = static_cast<std::int64_t>(c.kv_heads) * c.head_dim;
  d.k_cache.resize(d.slots * slot_stride);
  d.v_cache.resize(d.slots * slot_stride);

  KvAppendParams& p = d.params;
  p.dtype = c.dtype;
  p.pairing = c.pairing;
  p.head_dim = c.head_dim;
  p.rotary_dim = c.rotary_dim;
  p.frequencies = d.table.args();
  p.batch = c.batch();
  p.new_tokens = c.new_tokens;
  p.q_heads = c.q_heads;
  p.kv_heads = c.kv_heads;
  p.q = {d.q.data(), d.q.data(), d.token_stride_q, c.head_dim};
  p.k = {d.k.data(), nullptr, d.token_stride_kv, c.head_dim};
  p.v = {d.v.data(), nullptr, d.token_stride_kv, c.head_dim};
  p.cache_lengths = d.c.cache_lengths.data();
  p.rope_deltas = d.c.rope_deltas.data();
  p.convention = c.convention;
  p.real_lengths = d.c.real_lengths.data();
  KvCacheArgs& cache = p.cache;
  cache.k = d.k_cache.data();
  cache.v = d.v_cache.data();
  if (c.fp8_scale > 0) {
    d.k_fp8.assign(static_cast<std::size_t>(d.slots * slot_stride), kSentinel);
    d.v_fp8.assign(d.k_fp8.size(), kSentinel);
    cache.k = d.k_fp8.data();
    cache.v = d.v_fp8.data();
    cache.fp8_e4m3 = true;
    cache.k_scale = c.fp8_scale;
    cache.v_scale = 1.75 * c.fp8_scale;
  }
  cache.slot_stride = slot_stride;
  cache.head_stride = c.head_dim;
  if (c.cache == CacheKind::contiguous) {
    cache.layout = CacheLayout::contiguous;
    cache.max_seq = d.max_seq;
  } else {
    cache.layout = CacheLayout::paged;
    cache.block_size = c.block_size;
    cache.num_blocks = num_blocks;
    cache.block_table = d.block_table.data();
    cache.max_blocks = blocks_per_sequence;
    if (c.cache == CacheKind::paged_slots) cache.slot_mapping = d.slot_mapping.data();
  }
  if (c.prefill()) {  // the chunk: packed sequences, given positions
    d.cu_new_tokens.push_back(0);
    for (int b = 0; b < c.batch(); ++b) d.cu_new_tokens.push_back(d.cu_new_tokens.back() + c.tokens_of(b));
    p.cu_new_tokens = d.cu_new_tokens.data();
    p.total_tokens = c.tokens();
    const int axes = c.one_axis_positions ? 1 : 3;
    for (int a = 0; a < axes; ++a)
      for (const auto& pos : c.given_positions) {
        d.positions64.push_back(pos[static_cast<std::size_t>(a)]);
        d.positions32.push_back(static_cast<std::int32_t>(pos[static_cast<std::size_t>(a)]));
      }
    p.positions.values = c.int32_positions ? static_cast<const void*>(d.positions32.data()) : d.positions64.data();
    p.positions.type = c.int32_positions ? PositionType::int32 : PositionType::int64;
    p.positions.axes = axes;
    p.positions.axis_stride = c.tokens();
    p.positions.token_stride = 1;
  }
  if (c.cos_sin_rows > 0) {
    d.cos_sin = build_cos_sin_cache(d.table, c.cos_sin_rows);
    p.cos_sin_cache = d.cos_sin.args();
  }
  if (c.without_cache) {
    d.k_out = d.k;
    std::fill(d.k_out.bytes.begin(), d.k_out.bytes.end(), kSentinel);
    p.k.output = d.k_out.data();
    p.cache = KvCacheArgs{};
  }
  return d;
}

ComparisonReport judge_rotated(const AppendData& d, TensorRole role) {
  const AppendCase& c = d.c;
  const bool query = role == TensorRole::query;
  const int heads = query ? c.q_heads : c.kv_heads;
  judge::Problem problem;
  problem.spec = c.spec();
  problem.role = role;
  problem.dtype = c.dtype;
  problem.row = TensorShape{1, heads, c.head_dim};  // one row per new token
  std::vector<std::int64_t> cache_slot;             // per packed token
  for (int b = 0; b < c.batch(); ++b)
    for (int i = 0; i < c.tokens_of(b); ++i) {
      problem.positions.push_back({c.position3(b, i)});
      cache_slot.push_back(c.without_cache ? -1 : d.slot_of.at({b, c.cache_lengths[b] + i}));
    }
  const std::int64_t per_token = static_cast<std::int64_t>(heads) * c.head_dim;
  const std::int64_t in_stride = query ? d.token_stride_q : d.token_stride_kv;
  const Buffer& input = query ? d.q_original : d.k;
  const auto input_offset = [&](std::int64_t e) { return (e / per_token) * in_stride + e % per_token; };
  const auto output_bits = [&](std::int64_t e) {
    if (query) return d.q.bits(input_offset(e));
    if (c.without_cache) return d.k_out.bits(input_offset(e));
    return d.k_cache.bits(cache_slot[static_cast<std::size_t>(e / per_token)] * per_token + e % per_token);
  };
  judge::Options o;
  o.max_ulp = 0.5;
  const double attention = d.table.attention_factor;
  o.element_bound = [attention](double inputs, double exact, double ulp) { return element_bound_ulps(inputs, attention, exact, ulp); };
  return judge::check(
      problem,
      [&](std::int64_t first, std::span<double> out) {
        for (std::size_t k = 0; k < out.size(); ++k) out[k] = input.value(input_offset(first + static_cast<std::int64_t>(k)));
      },
      [&](std::int64_t first, std::span<std::uint32_t> out) {
        for (std::size_t k = 0; k < out.size(); ++k) out[k] = output_bits(first + static_cast<std::int64_t>(k));
      },
      o);
}

std::string cache_problem(const AppendData& d) {
  const AppendCase& c = d.c;
  if (c.without_cache) return "";  // no cache was handed over: nothing can have been written there
  const std::int64_t per_slot = static_cast<std::int64_t>(c.kv_heads) * c.head_dim;
  std::vector<bool> owned(static_cast<std::size_t>(d.slots), false);
  for (int b = 0; b < c.batch(); ++b)
    for (int i = 0; i < c.tokens_of(b); ++i) {
      const std::int64_t slot = d.slot_of.at({b, c.cache_lengths[b] + i});
      owned[static_cast<std::size_t>(slot)] = true;
      const std::int64_t n = c.first_of(b) + i;
      for (std::int64_t e = 0; e < per_slot; ++e)
        if (d.v_cache.bits(slot * per_slot + e) != d.v.bits(n * d.token_stride_kv + e))
          return "v of sequence " + std::to_string(b) + " token " + std::to_string(i) + " element " + std::to_string(e);
    }
  Buffer sentinel = d.k_cache;
  std::fill(sentinel.bytes.begin(), sentinel.bytes.end(), kSentinel);
  for (std::int64_t slot = 0; slot < d.slots; ++slot)
    if (!owned[static_cast<std::size_t>(slot)])
      for (std::int64_t e = 0; e < per_slot; ++e)
        if (d.k_cache.bits(slot * per_slot + e) != sentinel.bits(0) || d.v_cache.bits(slot * per_slot + e) != sentinel.bits(0))
          return "slot " + std::to_string(slot) + " (owned by no new token) changed";
  return "";
}

std::string refusal_problem(const AppendCase& c, std::mt19937_64& rng, const std::function<void(AppendData&)>& spoil,
                            const std::string& words) {
  AppendData d = make_append_data(c, rng);
  spoil(d);
  const Buffer q_before = d.q, k_before = d.k_cache, v_before = d.v_cache;
  try {
    apply_kv_append_host(d.params);
    return "accepted; expected: " + words;
  } catch (const std::invalid_argument& e) {
    if (std::string(e.what()).find(words) == std::string::npos) return std::string("refused with: ") + e.what() + "; expected: " + words;
  }
  if (d.q.bytes != q_before.bytes || d.k_cache.bytes != k_before.bytes || d.v_cache.bytes != v_before.bytes)
    return "refused after writing (" + words + ")";
  return "";
}

std::vector<AppendCase> decode_case_matrix() {
  struct Allocation {
    const char* name;
    const char* sections;
    std::optional<HeadCounts> heads;
  };
  const std::vector<Allocation> allocations = {
      {"chunked", "1,2,1", {}}, {"interleaved", "2,1,1", {}}, {"hope", "1,2,1", {}}, {"1d", "", {}},
      {"multi-head", "1,1,1", HeadCounts{8, 4}}};  // 4 KV heads, the fourth reading no axis; GQA 2:1
  std::vector<AppendCase> out;
  for (const Allocation& a : allocations)
    for (DType dtype : {DType::fp32, DType::fp16, DType::bf16})
      for (Pairing pairing : {Pairing::neox, Pairing::gptj}) {
        AppendCase c;
        c.allocation = a.name;
        c.sections = a.sections;
        c.mhrope_heads = a.heads;
        if (a.heads) {
          c.q_heads = a.heads->query;
          c.kv_heads = a.heads->kv;
        }
        c.dtype = dtype;
        c.pairing = pairing;
        const int variant = static_cast<int>(out.size());
        c.cache = static_cast<CacheKind>(variant % 3);
        c.convention = variant % 2 ? RopeDeltaConvention::transformers5 : RopeDeltaConvention::transformers4;
        c.new_tokens = 1 + variant % 3;            // speculative decoding: up to 3 new tokens per sequence
        if (variant % 4 == 1) c.head_dim = 12;     // partial rotary: channels 8..11 pass through
        if (variant % 5 == 2) c.token_gap = 3;
        out.push_back(c);
      }
  return out;
}

std::vector<AppendCase> prefill_case_matrix(std::mt19937_64& rng) {
  std::vector<AppendCase> out;
  for (AppendCase c : decode_case_matrix()) {  // its allocations x dtypes x pairings, made prefill chunks
    const int variant = static_cast<int>(out.size());
    c.chunk_lengths = {3, 0, 5};  // an empty chunk too: its sequence appends nothing
    c.cache_lengths = {0, 6, 13};
    c.rope_deltas = {0, 0, 0};
    c.real_lengths = {0, 0, 0};
    c.new_tokens = 1;
    c.cache = static_cast<CacheKind>((variant / 2) % 3);  // not in step with the cos/sin cache's variants
    c.int32_positions = variant % 2 == 1;
    c.one_axis_positions = variant % 5 == 3;
    c.cos_sin_rows = variant % 3 == 1 ? 64 : 0;
    c.without_cache = variant % 4 == 2;
    c.given_positions.clear();
    for (std::int64_t n = 0; n < c.tokens(); ++n) {
      std::array<std::int64_t, 3> p{};
      for (std::int64_t& v : p) {
        const std::uint64_t r = rng();
        if (c.cos_sin_rows > 0) v = static_cast<std::int64_t>(r % static_cast<std::uint64_t>(c.cos_sin_rows));
        else if (r % 3 == 0) v = static_cast<std::int64_t>((r >> 8) % 1024);                     // small
        else if (r % 3 == 1) v = kLargestPosition - static_cast<std::int64_t>((r >> 8) % 1024);  // near 2^31 - 1
        else v = static_cast<std::int64_t>(static_cast<std::int32_t>(r >> 16));                 // anywhere in int32
      }
      if (c.one_axis_positions) p[1] = p[2] = p[0];
      c.given_positions.push_back(p);
    }
    out.push_back(c);
  }
  return out;
}

std::string cos_sin_cache_problem(const AppendData& d) {
  const AppendCase& c = d.c;
  const RotarySpec spec = c.spec();
  const Allocation& allocation = spec.allocation;
  const int half = c.rotary_dim / 2;
  const std::int64_t per_slot = static_cast<std::int64_t>(c.kv_heads) * c.head_dim;
  for (int b = 0; b < c.batch(); ++b)
    for (int i = 0; i < c.tokens_of(b); ++i) {
      const std::int64_t n = c.first_of(b) + i;
      const Position3 pos = c.position3(b, i);
      for (const bool query : {true, false}) {
        const int heads = query ? c.q_heads : c.kv_heads;
        const Buffer& input = query ? d.q_original : d.k;
        const std::int64_t in_stride = query ? d.token_stride_q : d.token_stride_kv;
        for (int h = 0; h < heads; ++h) {
          const std::int64_t in = n * in_stride + static_cast<std::int64_t>(h) * c.head_dim;
          const auto output_bits = [&](int ch) {
            if (query) return d.q.bits(in + ch);
            if (c.without_cache) return d.k_out.bits(in + ch);
            const std::int64_t slot = d.slot_of.at({b, c.cache_lengths[b] + i});
            return d.k_cache.bits(slot * per_slot + static_cast<std::int64_t>(h) * c.head_dim + ch);
          };
          for (int ch = 0; ch < c.head_dim; ++ch) {
            Mpfr256 exact(input.value(in + ch));
            if (ch < c.rotary_dim) {
              // The pair of channel ch and its partner, by the pairing's definition.
              const int pair = c.pairing == Pairing::neox ? ch % half : ch / 2;
              const bool first = c.pairing == Pairing::neox ? ch < half : ch % 2 == 0;
              const int partner = c.pairing == Pairing::neox ? (first ? ch + half : ch - half) : (first ? ch + 1 : ch - 1);
              const PairAxis axis = query ? allocation.query_axis(allocation.per_head() ? h : 0, pair)
                                          : allocation.key_axis(allocation.per_head() ? h : 0, pair);
              Mpfr256 cos(d.table.attention_factor), sin(0);
              if (axis) {  // vLLM's layout: row = the position on the pair's axis, cos in column j, sin in d/2 + j
                const std::int64_t row = pos[*axis].to_int64();
                cos = Mpfr256(d.cos_sin.values.at(static_cast<std::size_t>(row * c.rotary_dim + pair)));
                sin = Mpfr256(d.cos_sin.values.at(static_cast<std::size_t>(row * c.rotary_dim + half + pair)));
              }
              const Mpfr256 x(input.value(in + ch)), other(input.value(in + partner));
              exact = first ? Mpfr256(x * cos - other * sin) : Mpfr256(x * cos + other * sin);  // (a c - b s, b c + a s)
            }
            const std::uint32_t want = round_to_bits(exact, c.dtype), got = output_bits(ch);
            if (got == want) continue;
            const double midpoint = (decode_bits(got, c.dtype) + decode_bits(want, c.dtype)) / 2;
            const double slack = 0x1p-53 * std::fabs(to_double(exact));
            if (to_double(Mpfr256(bmp::abs(exact - Mpfr256(midpoint)))) <= slack &&
                std::fabs(decode_bits(got, c.dtype) - decode_bits(want, c.dtype)) <= 2 * to_double(ulp_of(exact, c.dtype)))
              continue;
            return std::string(query ? "q" : "k") + " token " + std::to_string(n) + " head " + std::to_string(h) +
                   " channel " + std::to_string(ch) + ": got " + std::to_string(decode_bits(got, c.dtype)) + ", want " +
                   std::to_string(decode_bits(want, c.dtype));
          }
        }
      }
    }
  return "";
}

double e4m3_value(std::uint8_t code) {
  const int e = (code >> 3) & 15, m = code & 7;
  const double magnitude = e == 0 ? std::ldexp(m, -9) : std::ldexp(8 + m, e - 10);
  return code & 0x80 ? -magnitude : magnitude;
}
std::uint8_t exact_e4m3(const Mpfr256& v) {
  const std::uint8_t sign = v < 0 ? 0x80 : 0;
  const Mpfr256 a = bmp::abs(v);
  if (a >= 448) return sign | 0x7E;
  Mpfr256 step = Mpfr256(std::ldexp(1.0, -9));
  if (a >= Mpfr256(std::ldexp(1.0, -6))) step = Mpfr256(std::ldexp(1.0, static_cast<int>(mpfr_get_exp(a.backend().data())) - 1 - 3));
  Mpfr256 units = a / step, rounded;
  mpfr_rint(rounded.backend().data(), units.backend().data(), MPFR_RNDN);  // to nearest, ties to even
  const double value = to_double(Mpfr256(rounded * step));
  for (int code = 0; code <= 0x7E; ++code)
    if (e4m3_value(static_cast<std::uint8_t>(code)) == value) return sign | static_cast<std::uint8_t>(code);
  throw std::logic_error("no e4m3 code for " + std::to_string(value));
}

namespace {

// got is the e4m3 of exact, or (when the kernel's double value can sit on the other side of a rounding
// boundary) the neighbour across it: exact within `slack` of the midpoint of the two codes' values.
bool is_quantization_of(std::uint8_t got, const Mpfr256& exact, double slack) {
  const std::uint8_t want = exact_e4m3(exact);
  if (got == want || (exact == 0 && (got & 0x7F) == 0)) return true;
  if ((got & 0x80) != (want & 0x80) && exact != 0) return false;
  const int distance = std::abs((got & 0x7F) - (want & 0x7F));
  if (distance != 1) return false;
  const double midpoint = (e4m3_value(got) + e4m3_value(want)) / 2;
  return to_double(Mpfr256(bmp::abs(exact - Mpfr256(midpoint)))) <= slack;
}

}  // namespace

std::string fp8_cache_problem(const AppendData& d, std::size_t* checked, std::size_t* neighbours) {
  const AppendCase& c = d.c;
  const std::int64_t per_slot = static_cast<std::int64_t>(c.kv_heads) * c.head_dim;
  const double k_scale = d.params.cache.k_scale, v_scale = d.params.cache.v_scale;
  std::vector<Position3> positions;
  std::vector<double> x;
  for (int b = 0; b < c.batch(); ++b)
    for (int i = 0; i < c.tokens_of(b); ++i) {
      positions.push_back(c.position3(b, i));
      const std::int64_t n = c.first_of(b) + i;
      for (std::int64_t e = 0; e < per_slot; ++e) x.push_back(d.k.value(n * d.token_stride_kv + e));
    }
  const Rotation<Mpfr256> rotation(make_frequency_plan<Mpfr256>(c.spec()), positions);
  const auto exact = rotation.apply(x, TensorShape{static_cast<int>(c.tokens()), c.kv_heads, c.head_dim}, TensorRole::key,
                                    Direction::forward, c.dtype).exact;
  std::vector<bool> owned(d.k_fp8.size(), false);
  const int half = c.rotary_dim / 2;
  for (int b = 0; b < c.batch(); ++b)
  for (int i = 0; i < c.tokens_of(b); ++i) {
    const std::int64_t n = c.first_of(b) + i;
    const std::int64_t slot = d.slot_of.at({b, c.cache_lengths[b] + i});
    for (std::int64_t e = 0; e < per_slot; ++e) {
      const std::size_t at = static_cast<std::size_t>(slot * per_slot + e);
      owned[at] = true;
      const int ch = static_cast<int>(e % c.head_dim);
      const std::size_t xi = static_cast<std::size_t>(n * per_slot + e);
      const std::size_t partner = ch >= c.rotary_dim ? xi
                                  : c.pairing == Pairing::gptj ? (ch % 2 ? xi - 1 : xi + 1)
                                  : ch < half ? xi + static_cast<std::size_t>(half) : xi - static_cast<std::size_t>(half);
      const Mpfr256 k_exact = exact[xi] / Mpfr256(k_scale);
      const double k_slack = ch >= c.rotary_dim ? 0x1p-52 * std::fabs(x[xi]) / k_scale
                                                : (0x1p-49 * (std::fabs(x[xi]) + std::fabs(x[partner])) +
                                                   0x1p-51 * std::fabs(to_double(exact[xi]))) / k_scale;
      const double v = d.v.value(n * d.token_stride_kv + e);
      const Mpfr256 v_exact = Mpfr256(v) / Mpfr256(v_scale);
      const std::string where = "token " + std::to_string(n) + " element " + std::to_string(e);
      if (!is_quantization_of(d.k_fp8[at], k_exact, k_slack))
        return "k " + where + ": got e4m3 " + std::to_string(d.k_fp8[at]) + " for " + std::to_string(to_double(k_exact));
      if (!is_quantization_of(d.v_fp8[at], v_exact, 0x1p-52 * std::fabs(v) / v_scale))
        return "v " + where + ": got e4m3 " + std::to_string(d.v_fp8[at]) + " for " + std::to_string(to_double(v_exact));
      if (checked) *checked += 2;
      if (neighbours) *neighbours += (d.k_fp8[at] != exact_e4m3(k_exact)) + (d.v_fp8[at] != exact_e4m3(v_exact));
    }
  }
  for (std::size_t at = 0; at < owned.size(); ++at)
    if (!owned[at] && (d.k_fp8[at] != kSentinel || d.v_fp8[at] != kSentinel))
      return "cache byte " + std::to_string(at) + " (owned by no new token) changed";
  return "";
}

}  // namespace mmrope::kernels::testing
