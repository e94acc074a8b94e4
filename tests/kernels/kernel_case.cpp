// Builds kernel test cases: buffers in the requested layout and strides, positions, the frequency table.
// Values and strides come from the reference's conversions and the layouts' definitions, not from kernels/core.
#include "kernel_case.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <sstream>

#include "reference/presets/preset_rotary.hpp"
#include "reference/rounding.hpp"

namespace mmrope::kernels::testing {

std::string KernelCase::name() const {
  std::ostringstream s;
  const char* layouts[] = {"bshd", "sbhd", "thd"};
  const char* dtypes[] = {"fp32", "fp16", "bf16"};
  const char* sources[] = {"pos32x3", "pos64x3", "pos64x1", "implicit"};
  s << allocation << "[" << sections << "]/" << dtypes[static_cast<int>(dtype)] << "/" << layouts[static_cast<int>(layout)]
    << "/" << to_string(pairing) << "/" << (direction == Direction::forward ? "fwd" : "bwd") << "/rot" << rotary_dim
    << "of" << head_dim << "/" << sources[static_cast<int>(positions)] << (in_place ? "/inplace" : "")
    << (fused_qkv ? "/fusedqkv" : "") << "/scaling=" << to_string(scaling.kind) << "/base=" << base << "/pos<=" << largest_position
    << (negative_positions ? "/signed" : "") << "/heads=" << q_heads << ":" << k_heads << "/seqs=";
  for (std::size_t i = 0; i < sequence_lengths.size(); ++i) s << (i ? "," : "") << sequence_lengths[i];
  if (head_gap || token_gap || batch_gap || position_token_stride != 1)
    s << "/gaps=" << head_gap << "," << token_gap << "," << batch_gap << "/posstride=" << position_token_stride;
  if (any_finite_values) s << "/anyvalues";
  return s.str();
}

RotarySpec KernelCase::spec() const {
  RotarySpec s;
  s.base = base;
  s.head_dim = head_dim;
  s.rotary_dim = rotary_dim;
  s.pairing = pairing;
  s.allocation = make_allocation(allocation, sections, rotary_dim / 2, mhrope_heads);
  s.scaling = scaling;
  check_rotary_spec(s);
  return s;
}


double random_value(DType t, std::mt19937_64& rng, bool any_finite) {
  if (any_finite) {  // uniform over the bit patterns, NaN and infinity drawn again
    const DType d = t;
    const std::uint32_t mask = d == DType::fp32 ? 0xFFFFFFFFu : 0xFFFFu;
    for (;;) {
      const auto bits = static_cast<std::uint32_t>(rng()) & mask;
      if (bits_are_finite(bits, d)) return decode_bits(bits, d);
    }
  }
  std::uniform_int_distribution<int> zero(0, 31);
  if (zero(rng) == 0) return 0.0;
  std::uniform_real_distribution<double> mantissa(1.0, 2.0);
  std::uniform_int_distribution<int> exponent(-4, 4);
  std::bernoulli_distribution negative(0.5);
  const double v = (negative(rng) ? -1 : 1) * std::ldexp(mantissa(rng), exponent(rng));
  // Rounded with the reference's conversion (not the kernels'), so the value is exact in the dtype.
  return decode_bits(round_to_bits(v, t), t);
}

void store_value(std::uint8_t* base, std::int64_t offset, DType t, double v) {
  const std::uint32_t bits = round_to_bits(v, t);
  if (t == DType::fp32) std::memcpy(base + offset * 4, &bits, 4);
  else {
    const auto half = static_cast<std::uint16_t>(bits);
    std::memcpy(base + offset * 2, &half, 2);
  }
}

std::int64_t random_position(const KernelCase& c, std::mt19937_64& rng) {
  // Every magnitude up to the largest: 0 and the extreme itself often, else 2^e..2^(e+1) for a uniform e.
  const std::int64_t top = c.largest_position;
  std::uniform_int_distribution<int> kind(0, 7);
  std::bernoulli_distribution negative(0.5);
  const int k = kind(rng);
  std::int64_t v = 0;
  if (k == 1) v = top;
  else if (k > 1 && top > 0) {
    const int top_exponent = std::bit_width(static_cast<std::uint64_t>(top)) - 1;
    const int e = std::uniform_int_distribution<int>(0, top_exponent)(rng);
    const std::int64_t low = std::int64_t{1} << e;
    v = std::uniform_int_distribution<std::int64_t>(low, std::min(top, 2 * low - 1))(rng);
  }
  return c.negative_positions && negative(rng) ? -v : v;
}

// Strides of one tensor view inside a buffer whose token rows hold row_heads heads (the fused qkv buffer:
// q + 2 k heads), with the case's gaps. Written from the layout's definition, not from the kernels' helpers.
TensorPlacement place(const KernelCase& c, int heads, int row_heads, std::int64_t first, std::int64_t longest, int batch) {
  TensorPlacement t;
  t.first = first;
  t.heads = heads;
  t.head_stride = c.head_dim + c.head_gap;
  const std::int64_t token_row = row_heads * t.head_stride + c.token_gap;
  switch (c.layout) {
    case TensorLayout::bshd: t.seq_stride = token_row; t.batch_stride = token_row * longest + c.batch_gap; break;
    case TensorLayout::sbhd: t.batch_stride = token_row; t.seq_stride = token_row * batch + c.batch_gap; break;
    case TensorLayout::thd: t.seq_stride = token_row; t.batch_stride = 0; break;
  }
  return t;
}

std::int64_t buffer_elements(const KernelCase& c, const TensorPlacement& t, std::int64_t longest, std::int64_t total,
                             int batch, int row_heads) {
  const std::int64_t row = row_heads * t.head_stride + c.token_gap;
  switch (c.layout) {
    case TensorLayout::bshd: return batch * t.batch_stride;
    case TensorLayout::sbhd: return longest * t.seq_stride;
    case TensorLayout::thd: return total * row;
  }
  return 0;
}

RotaryTensorArgs launch_view(const TensorPlacement& t, std::uint8_t* buffer, std::size_t bytes) {
  RotaryTensorArgs a;
  a.input = buffer + t.first * static_cast<std::int64_t>(bytes);
  a.heads = t.heads;
  a.batch_stride = t.batch_stride;
  a.seq_stride = t.seq_stride;
  a.head_stride = t.head_stride;
  return a;
}

// The launch's encoding of the expected positions: [axis][token], token index b * longest + s (bshd/sbhd)
// or the packed index (thd), spaced by position_token_stride, one unused slot between axes.
void encode_positions(KernelCaseData& d) {
  const KernelCase& c = d.c;
  RotaryKernelParams& p = d.params;
  const int axes = c.positions == PositionSource::int64_1d ? 1 : 3;
  std::int64_t tokens = 0;
  for (const auto& sequence : d.expected_positions) tokens += static_cast<std::int64_t>(sequence.size());
  const std::int64_t axis_stride = tokens * c.position_token_stride + 1;  // one unused slot between axes
  std::vector<std::int64_t> values(static_cast<std::size_t>(axes * axis_stride), 0);
  std::int64_t n = 0;
  for (const auto& sequence : d.expected_positions)
    for (const auto& pos : sequence) {
      for (int a = 0; a < axes; ++a) values[static_cast<std::size_t>(a * axis_stride + n * c.position_token_stride)] = pos[a];
      ++n;
    }
  p.positions.axes = axes;
  p.positions.axis_stride = axis_stride;
  p.positions.token_stride = c.position_token_stride;
  switch (c.positions) {
    case PositionSource::int32_3axis:
      d.positions32.assign(values.begin(), values.end());
      p.positions.values = d.positions32.data();
      p.positions.type = PositionType::int32;
      break;
    case PositionSource::int64_3axis:
    case PositionSource::int64_1d:
      d.positions64 = values;
      p.positions.values = d.positions64.data();
      p.positions.type = PositionType::int64;
      break;
    case PositionSource::implicit: p.positions.values = nullptr; break;
  }
}

KernelCaseData make_case(const KernelCase& c, std::mt19937_64& rng) {
  KernelCaseData d;
  d.c = c;
  d.table = kernel_frequency_table(c.spec());
  RotaryKernelParams& p = d.params;
  p.dtype = c.dtype;
  p.layout = c.layout;
  p.head_dim = c.head_dim;
  p.rotary_dim = c.rotary_dim;
  p.pairing = c.pairing;
  p.direction = c.direction;
  p.frequencies = d.table.args();
  p.batch = static_cast<int>(c.sequence_lengths.size());
  const std::int64_t longest = *std::max_element(c.sequence_lengths.begin(), c.sequence_lengths.end());
  std::int64_t total = 0;
  for (std::int64_t len : c.sequence_lengths) total += len;
  std::int64_t tokens = 0;  // the launch's token count: padded for bshd/sbhd
  if (c.layout == TensorLayout::thd) {
    d.cu_seqlens.push_back(0);
    for (std::int64_t len : c.sequence_lengths) d.cu_seqlens.push_back(d.cu_seqlens.back() + static_cast<std::int32_t>(len));
    p.cu_seqlens = d.cu_seqlens.data();
    p.total_tokens = tokens = total;
  } else {
    p.seqlen = longest;
    tokens = p.batch * longest;
  }
  const std::size_t bytes = static_cast<std::size_t>(element_bytes(c.dtype));
  // Buffers: separate q and k, or one fused [token, q_heads + 2 k_heads, head_dim] buffer (k after q, v after
  // k, untouched), whose views have token strides wider than the tensors' own.
  if (c.fused_qkv) {
    const int row_heads = c.q_heads + 2 * c.k_heads;
    d.k_in_q_buffer = true;
    d.q_place = place(c, c.q_heads, row_heads, 0, longest, p.batch);
    d.k_place = place(c, c.k_heads, row_heads, static_cast<std::int64_t>(c.q_heads) * d.q_place.head_stride, longest, p.batch);
    d.q_buffer.resize(static_cast<std::size_t>(buffer_elements(c, d.q_place, longest, total, p.batch, row_heads)) * bytes);
    p.q = launch_view(d.q_place, d.q_buffer.data(), bytes);
    p.k = launch_view(d.k_place, d.q_buffer.data(), bytes);
  } else {
    d.q_place = place(c, c.q_heads, c.q_heads, 0, longest, p.batch);
    d.k_place = place(c, c.k_heads, c.k_heads, 0, longest, p.batch);
    d.q_buffer.resize(static_cast<std::size_t>(buffer_elements(c, d.q_place, longest, total, p.batch, c.q_heads)) * bytes);
    d.k_buffer.resize(static_cast<std::size_t>(buffer_elements(c, d.k_place, longest, total, p.batch, c.k_heads)) * bytes);
    p.q = launch_view(d.q_place, d.q_buffer.data(), bytes);
    p.k = launch_view(d.k_place, d.k_buffer.data(), bytes);
  }
  // Values: every element of every buffer random (padding slots and gaps too: the gaps must stay as they are).
  for (auto* buffer : {&d.q_buffer, &d.k_buffer})
    for (std::size_t i = 0; i < buffer->size() / bytes; ++i)
      store_value(buffer->data(), static_cast<std::int64_t>(i), c.dtype, random_value(c.dtype, rng, c.any_finite_values));
  // Positions: what each token means first, then the launch's encoding of it, [axis][token] with the token
  // index b * longest + s (bshd/sbhd) or the packed index (thd). Implicit positions are the token's index in
  // its sequence.
  const int axes = c.positions == PositionSource::int64_1d ? 1 : 3;
  d.expected_positions.resize(c.sequence_lengths.size());
  for (std::size_t b = 0; b < c.sequence_lengths.size(); ++b) {
    const std::int64_t slots = c.layout == TensorLayout::thd ? c.sequence_lengths[b] : longest;
    for (std::int64_t s = 0; s < slots; ++s) {
      std::array<std::int64_t, 3> pos{};
      for (int a = 0; a < 3; ++a) pos[a] = c.positions == PositionSource::implicit ? s : random_position(c, rng);
      if (axes == 1) pos[1] = pos[2] = pos[0];
      d.expected_positions[b].push_back(pos);
    }
  }
  // The first token of the batch gets the extreme itself; the first of every later sequence the origin, where
  // every angle is 0 and the oracle can ask for the exact rounding (independent_oracle.hpp).
  if (c.positions != PositionSource::implicit && tokens > 0) {
    for (int a = 0; a < 3; ++a) d.expected_positions[0][0][a] = c.negative_positions ? -c.largest_position : c.largest_position;
    for (std::size_t b = 1; b < d.expected_positions.size(); ++b)
      if (!d.expected_positions[b].empty()) d.expected_positions[b][0] = {0, 0, 0};
  }
  encode_positions(d);
  d.q_original = d.q_buffer;
  d.k_original = d.k_buffer;
  if (c.in_place) {
    p.q.output = const_cast<void*>(p.q.input);
    p.k.output = const_cast<void*>(p.k.input);
  } else {
    d.q_result.assign(d.q_buffer.size(), 0xA5);  // a sentinel: an element the kernel skips, or a stray write, shows up
    d.k_result.assign(d.k_buffer.size(), 0xA5);
    p.q.output = d.q_result.data() + d.q_place.first * static_cast<std::int64_t>(bytes);
    p.k.output = (d.k_in_q_buffer ? d.q_result.data() : d.k_result.data()) + d.k_place.first * static_cast<std::int64_t>(bytes);
  }
  return d;
}

std::int64_t element_offset(const KernelCaseData& d, const TensorPlacement& t, int b, std::int64_t s, int head, int channel) {
  std::int64_t token = 0;
  if (d.c.layout == TensorLayout::thd) {
    std::int64_t before = 0;
    for (int i = 0; i < b; ++i) before += d.c.sequence_lengths[static_cast<std::size_t>(i)];
    token = (before + s) * t.seq_stride;
  } else {
    token = b * t.batch_stride + s * t.seq_stride;
  }
  return t.first + token + head * t.head_stride + channel;
}

namespace {

std::size_t bytes_of(DType t) { return t == DType::fp32 ? 4 : 2; }

const std::vector<std::uint8_t>& buffer_of(const KernelCaseData& d, bool query, bool output) {
  const bool shared = !query && d.k_in_q_buffer;
  if (!output || d.c.in_place) return query || shared ? d.q_buffer : d.k_buffer;
  return query || shared ? d.q_result : d.k_result;
}

}  // namespace

std::vector<std::uint32_t> logical_bits(const KernelCaseData& d, bool query, bool output) {
  const TensorPlacement& t = query ? d.q_place : d.k_place;
  const std::vector<std::uint8_t>& buffer = output ? buffer_of(d, query, true) : (query || d.k_in_q_buffer ? d.q_original : d.k_original);
  const std::size_t bytes = bytes_of(d.c.dtype);
  std::vector<std::uint32_t> out;
  for (std::size_t b = 0; b < d.c.sequence_lengths.size(); ++b)
    for (std::int64_t s = 0; s < d.c.sequence_lengths[b]; ++s)
      for (int h = 0; h < t.heads; ++h)
        for (int ch = 0; ch < d.c.head_dim; ++ch) {
          std::uint32_t bits = 0;
          std::memcpy(&bits, buffer.data() + element_offset(d, t, static_cast<int>(b), s, h, ch) * static_cast<std::int64_t>(bytes), bytes);
          out.push_back(bits);
        }
  return out;
}

void copy_logical_inputs(const KernelCaseData& from, KernelCaseData& to) {
  const std::size_t bytes = bytes_of(to.c.dtype);
  for (bool query : {true, false}) {
    const std::vector<std::uint32_t> bits = logical_bits(from, query, false);
    const TensorPlacement& t = query ? to.q_place : to.k_place;
    std::vector<std::uint8_t>& buffer = query || to.k_in_q_buffer ? to.q_buffer : to.k_buffer;
    std::size_t i = 0;
    for (std::size_t b = 0; b < to.c.sequence_lengths.size(); ++b)
      for (std::int64_t s = 0; s < to.c.sequence_lengths[b]; ++s)
        for (int h = 0; h < t.heads; ++h)
          for (int ch = 0; ch < to.c.head_dim; ++ch)
            std::memcpy(buffer.data() + element_offset(to, t, static_cast<int>(b), s, h, ch) * static_cast<std::int64_t>(bytes), &bits[i++], bytes);
  }
  for (std::size_t b = 0; b < to.c.sequence_lengths.size(); ++b)
    for (std::int64_t s = 0; s < to.c.sequence_lengths[b]; ++s)
      to.expected_positions[b][static_cast<std::size_t>(s)] = from.expected_positions[b][static_cast<std::size_t>(s)];
  encode_positions(to);
  to.q_original = to.q_buffer;
  to.k_original = to.k_buffer;
}

OracleVerdict run_and_check(KernelCaseData& d, const std::function<void(const RotaryKernelParams&)>& backend) {
  backend(d.params);
  return judge_with_oracle(d);
}

}  // namespace mmrope::kernels::testing
