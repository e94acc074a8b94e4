// The host backend: per token, cos/sin slots once, then every q and k head through the same core functions.
#include "kernels/host/apply_rotary_host.hpp"

#include <stdexcept>
#include <vector>

#include "kernels/core/element_traits.hpp"
#include "kernels/core/params_check.hpp"
#include "kernels/core/token_angles.hpp"
#include "kernels/core/token_indexing.hpp"

namespace mmrope::kernels {
namespace {

template <DType T>
void rotate_heads(const RotaryKernelParams& p, const RotaryTensorArgs& t, bool is_query, std::int64_t token_base,
                  const std::vector<CosSin>& slots) {
  using Traits = ElementTraits<T>;
  using Storage = typename Traits::Storage;
  const auto* in = static_cast<const Storage*>(t.input);
  auto* out = static_cast<Storage*>(t.output);
  const CosSin none{p.frequencies.attention_factor, 0.0};
  for (int h = 0; h < t.heads; ++h) {
    const std::int64_t base = token_base + h * t.head_stride;
    for (int j = 0; j < p.pairs(); ++j) {
      const int slot = slot_of(p, is_query, h, j);
      const PairChannels c = pair_channels(p.pairing, j, p.rotary_dim);
      const PairValues y = rotate_pair(Traits::widen(in[base + c.first]), Traits::widen(in[base + c.second]),
                                       slot < 0 ? none : slots[slot], p.direction);
      out[base + c.first] = Traits::narrow(y.first);
      out[base + c.second] = Traits::narrow(y.second);
    }
    if (out != in)  // the tail passes through unchanged (forward and backward alike)
      for (int c = p.rotary_dim; c < p.head_dim; ++c) out[base + c] = in[base + c];
  }
}

template <DType T>
void apply_typed(const RotaryKernelParams& p) {
  std::vector<CosSin> slots(static_cast<std::size_t>(angle_slots(p)));
  const std::int64_t tokens = p.tokens();
  for (std::int64_t n = 0; n < tokens; ++n) {
    const TokenLocation where = locate_token(p, n);
    const TokenPositions pos = token_positions(p, n, where);
    for (int s = 0; s < angle_slots(p); ++s) slots[s] = slot_cos_sin(p, pos, s);
    if (p.q.heads > 0) rotate_heads<T>(p, p.q, true, token_offset(p, p.q, n, where), slots);
    if (p.k.heads > 0) rotate_heads<T>(p, p.k, false, token_offset(p, p.k, n, where), slots);
  }
}

}  // namespace

void apply_rotary_host(const RotaryKernelParams& params) {
  if (const std::string problem = rotary_params_problem(params); !problem.empty()) throw std::invalid_argument(problem);
  if (const std::string problem = host_positions_problem(params); !problem.empty()) throw std::invalid_argument(problem);
  switch (params.dtype) {
    case DType::fp32: apply_typed<DType::fp32>(params); break;
    case DType::fp16: apply_typed<DType::fp16>(params); break;
    case DType::bf16: apply_typed<DType::bf16>(params); break;
  }
}

}  // namespace mmrope::kernels
