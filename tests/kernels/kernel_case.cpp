// Builds kernel test cases: buffers in the requested layout and strides, positions, the frequency table.
#include "kernel_case.hpp"

#include <algorithm>
#include <sstream>

#include "kernels/core/token_indexing.hpp"
#include "reference/frequency/preset_rotary.hpp"

namespace mmrope::kernels::testing {

std::string KernelCase::name() const {
  std::ostringstream s;
  const char* layouts[] = {"bshd", "sbhd", "thd"};
  const char* dtypes[] = {"fp32", "fp16", "bf16"};
  const char* sources[] = {"pos32x3", "pos64x3", "pos64x1", "implicit"};
  s << allocation << "[" << sections << "]/" << dtypes[static_cast<int>(dtype)] << "/" << layouts[static_cast<int>(layout)]
    << "/" << to_string(pairing) << "/" << (direction == RotationDirection::forward ? "fwd" : "bwd") << "/rot" << rotary_dim
    << "of" << head_dim << "/" << sources[static_cast<int>(positions)] << (in_place ? "/inplace" : "")
    << (fused_qkv ? "/fusedqkv" : "") << "/scaling=" << to_string(scaling.kind) << "/pos~" << largest_position;
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

double random_value(ElementType t, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> zero(0, 31);
  if (zero(rng) == 0) return 0.0;
  std::uniform_real_distribution<double> mantissa(1.0, 2.0);
  std::uniform_int_distribution<int> exponent(-4, 4);
  std::bernoulli_distribution negative(0.5);
  const double v = (negative(rng) ? -1 : 1) * std::ldexp(mantissa(rng), exponent(rng));
  switch (t) {  // round through the core's own conversions; the value is then exact in the dtype
    case ElementType::fp32: return static_cast<float>(v);
    case ElementType::fp16: return fp16_bits_to_float(double_to_fp16_bits(v));
    case ElementType::bf16: return bf16_bits_to_float(double_to_bf16_bits(v));
  }
  return 0;
}

void store_value(std::uint8_t* base, std::int64_t offset, ElementType t, double v) {
  switch (t) {
    case ElementType::fp32: reinterpret_cast<float*>(base)[offset] = static_cast<float>(v); break;
    case ElementType::fp16: reinterpret_cast<std::uint16_t*>(base)[offset] = double_to_fp16_bits(v); break;
    case ElementType::bf16: reinterpret_cast<std::uint16_t*>(base)[offset] = double_to_bf16_bits(v); break;
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
  p.pairing = c.pairing == Pairing::neox ? PairingKind::neox : PairingKind::gptj;
  p.direction = c.direction;
  p.frequencies = d.table.args();
  p.batch = static_cast<int>(c.sequence_lengths.size());
  const std::int64_t longest = *std::max_element(c.sequence_lengths.begin(), c.sequence_lengths.end());
  std::int64_t tokens = 0;
  if (c.layout == TensorLayout::thd) {
    d.cu_seqlens.push_back(0);
    for (std::int64_t len : c.sequence_lengths) d.cu_seqlens.push_back(d.cu_seqlens.back() + static_cast<std::int32_t>(len));
    p.cu_seqlens = d.cu_seqlens.data();
    p.total_tokens = tokens = d.cu_seqlens.back();
  } else {
    p.seqlen = longest;
    tokens = p.batch * longest;
  }
  const std::size_t bytes = static_cast<std::size_t>(element_bytes(c.dtype));
  // Buffers: separate contiguous q and k, or one fused [token, q_heads + 2 k_heads, head_dim] buffer (k
  // after q, v after k, untouched), whose views have head-row strides wider than the tensors' own.
  if (c.fused_qkv) {
    const int row_heads = c.q_heads + 2 * c.k_heads;
    d.q_buffer.resize(static_cast<std::size_t>(tokens) * row_heads * c.head_dim * bytes);
    RotaryTensorArgs row = contiguous_tensor(nullptr, nullptr, c.layout, p.batch, longest, row_heads, c.head_dim);
    p.q = row;
    p.q.heads = c.q_heads;
    p.q.input = d.q_buffer.data();
    p.k = row;
    p.k.heads = c.k_heads;
    p.k.input = d.q_buffer.data() + static_cast<std::size_t>(c.q_heads) * c.head_dim * bytes;
  } else {
    d.q_buffer.resize(static_cast<std::size_t>(tokens) * c.q_heads * c.head_dim * bytes);
    d.k_buffer.resize(static_cast<std::size_t>(tokens) * c.k_heads * c.head_dim * bytes);
    p.q = contiguous_tensor(d.q_buffer.data(), nullptr, c.layout, p.batch, longest, c.q_heads, c.head_dim);
    p.k = contiguous_tensor(d.k_buffer.data(), nullptr, c.layout, p.batch, longest, c.k_heads, c.head_dim);
  }
  // Values: every element of every buffer random (padding slots too: the kernel rotates them like any token).
  for (auto* buffer : {&d.q_buffer, &d.k_buffer})
    for (std::size_t i = 0; i < buffer->size() / bytes; ++i)
      store_value(buffer->data(), static_cast<std::int64_t>(i), c.dtype, random_value(c.dtype, rng));
  // Positions: [axes][tokens], drawn in [largest - 2^16, largest] (or [-largest, largest]), so every axis differs.
  const int axes = c.positions == PositionSource::int64_1d ? 1 : 3;
  std::uniform_int_distribution<std::int64_t> near(std::max<std::int64_t>(0, c.largest_position - 65536), c.largest_position);
  std::uniform_int_distribution<std::int64_t> wide(-c.largest_position, c.largest_position);
  std::vector<std::int64_t> values(static_cast<std::size_t>(axes * tokens));
  for (auto& v : values) v = c.negative_positions ? wide(rng) : near(rng);
  if (!values.empty()) values[0] = c.negative_positions ? -c.largest_position : c.largest_position;  // the extreme itself
  p.positions.axes = axes;
  p.positions.axis_stride = tokens;
  p.positions.token_stride = 1;
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
  d.q_original = d.q_buffer;
  d.k_original = d.k_buffer;
  if (c.in_place) {
    p.q.output = const_cast<void*>(p.q.input);
    p.k.output = const_cast<void*>(p.k.input);
  } else {
    d.q_result.assign(d.q_buffer.size(), 0xA5);  // a sentinel: an element the kernel skips shows up
    d.k_result.assign(d.k_buffer.size(), 0xA5);
    std::uint8_t* q_out = d.q_result.data();
    std::uint8_t* k_out = c.fused_qkv ? d.q_result.data() + (static_cast<const std::uint8_t*>(p.k.input) - d.q_buffer.data())
                                      : d.k_result.data();
    p.q.output = q_out;
    p.k.output = k_out;
  }
  // The judged view: originals in, results out, same strides.
  d.judged = p;
  auto remap = [&](const void* ptr) -> const void* {
    const auto* b = static_cast<const std::uint8_t*>(ptr);
    if (b >= d.q_buffer.data() && b < d.q_buffer.data() + d.q_buffer.size()) return d.q_original.data() + (b - d.q_buffer.data());
    return d.k_original.data() + (b - d.k_buffer.data());
  };
  d.judged.q.input = remap(p.q.input);
  d.judged.k.input = remap(p.k.input);
  return d;
}

KernelVerdict run_and_check(KernelCaseData& d, const std::function<void(const RotaryKernelParams&)>& backend) {
  backend(d.params);
  return check_against_reference(d.c.spec(), d.judged);
}

}  // namespace mmrope::kernels::testing
