// Draws a kernel case from the whole domain: each choice from the Pick, valid by construction.
#include "random_kernel_case.hpp"

#include <algorithm>
#include <string>

#include "kernels/core/params_check.hpp"
#include "reference/frequency/allocation_registry.hpp"

namespace mmrope::kernels::testing {
namespace {

// Three sections summing to `total` (cut points anywhere, empty sections included).
std::string sections_summing_to(const Pick& pick, int total) {
  const auto a = static_cast<int>(pick(0, total)), b = static_cast<int>(pick(0, total));
  const int low = std::min(a, b), high = std::max(a, b);
  return std::to_string(low) + "," + std::to_string(high - low) + "," + std::to_string(total - high);
}

Rational ratio(const Pick& pick, std::int64_t max_numerator, std::int64_t max_denominator) {
  return Rational(pick(1, max_numerator), pick(1, max_denominator));
}

// A context-extension factor: 1 to 64 in quarters (below 1 a scaling would shrink the context, and NTK's
// base would fall under 1).
Rational extension_factor(const Pick& pick) { return Rational(pick(4, 256), 4); }

RopeScaling random_scaling(const Pick& pick, int rotary_dim) {
  RopeScaling s;
  switch (pick(0, 6)) {
    case 0: break;
    case 1: s.kind = ScalingKind::linear; s.factor = extension_factor(pick); break;
    case 2:
      if (rotary_dim < 4) break;  // NTK needs two pairs at least
      s.kind = ScalingKind::ntk;
      s.factor = extension_factor(pick);
      break;
    case 3:
      if (rotary_dim < 4) break;
      s.kind = ScalingKind::dynamic_ntk;
      s.factor = extension_factor(pick);
      s.original_context = pick(1, 1 << 17);
      s.sequence_length = pick(1, 1 << 20);
      break;
    case 4:
    case 5:
      s.kind = ScalingKind::yarn;
      s.factor = extension_factor(pick);
      s.original_context = pick(1, 1 << 17);
      if (pick(0, 2) == 0) s.attention_factor = ratio(pick, 8, 4);  // 1/4 .. 8, short factors among them
      s.truncate = pick(0, 1) == 0;
      break;
    case 6:
      s.kind = ScalingKind::llama3;
      s.factor = extension_factor(pick);
      s.original_context = pick(1, 1 << 17);
      s.low_freq_factor = ratio(pick, 4, 2);
      s.high_freq_factor = s.low_freq_factor + ratio(pick, 8, 2);
      break;
  }
  return s;
}

}  // namespace

KernelCase random_kernel_case(const Pick& pick, CaseLimits lim) {
  KernelCase c;
  const auto& registry = allocation_registry();
  const AllocationInfo& a = registry[static_cast<std::size_t>(pick(0, static_cast<std::int64_t>(registry.size()) - 1))];
  c.allocation = std::string(a.name);
  const int pairs = static_cast<int>(pick(1, lim.max_pairs));
  c.rotary_dim = 2 * pairs;
  c.head_dim = c.rotary_dim + static_cast<int>(pick(0, lim.max_tail));
  c.pairing = pick(0, 1) ? Pairing::gptj : Pairing::neox;
  c.dtype = static_cast<DType>(pick(0, 2));
  c.layout = static_cast<TensorLayout>(pick(0, 2));
  c.direction = pick(0, 1) ? Direction::backward : Direction::forward;
  c.in_place = pick(0, 1) == 1;
  c.fused_qkv = pick(0, 2) == 0;
  const int kv = static_cast<int>(pick(1, lim.max_kv_heads));
  const int group = static_cast<int>(pick(1, lim.max_group));
  c.k_heads = kv;
  c.q_heads = kv * group;
  c.sections.clear();
  if (c.allocation == "multi-head") {
    // Sections are KV heads per axis; heads past their sum do not rotate.
    c.sections = sections_summing_to(pick, static_cast<int>(pick(0, kv)));
    c.mhrope_heads = HeadCounts{c.q_heads, kv};
  } else if (a.needs_sections) {
    c.sections = sections_summing_to(pick, pairs);
  }
  if (!c.fused_qkv && !c.mhrope_heads) {  // one tensor alone: q only or k only
    const auto which = pick(0, 7);
    if (which == 0) c.k_heads = 0;
    if (which == 1) c.q_heads = 0;
  }
  c.base = std::to_string(pick(0, 3) == 0 ? pick(2, 100000000) : std::int64_t{10000} * pick(1, 500));
  c.scaling = random_scaling(pick, c.rotary_dim);
  c.head_gap = static_cast<int>(pick(0, 1) ? pick(0, 5) : 0);
  c.token_gap = pick(0, 1) ? pick(0, 7) : 0;
  c.batch_gap = pick(0, 1) ? pick(0, 9) : 0;
  c.position_token_stride = pick(1, 3);
  c.positions = static_cast<PositionSource>(pick(0, 3));
  c.sequence_lengths.clear();
  const auto sequences = pick(1, lim.max_sequences);
  for (std::int64_t b = 0; b < sequences; ++b) c.sequence_lengths.push_back(pick(1, lim.max_sequence_length));
  // Every magnitude: the largest position 2^e - 1 or 2^e for a uniform e, 0 and 2^31 - 1 included.
  const auto e = static_cast<int>(pick(0, 31));
  c.largest_position = std::min(kMaxKernelPosition, (std::int64_t{1} << e) - pick(0, 1));
  c.negative_positions = pick(0, 2) == 0;
  c.any_finite_values = pick(0, 3) == 0;
  return c;
}

}  // namespace mmrope::kernels::testing
