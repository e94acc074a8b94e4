// The KV-append kernel: a block per new token, its cos/sin per slot (pair, or pair and axis under MHRoPE) once
// in shared memory, then every q head and every k head rotated (into the cache where the token has a slot, or
// into k's output without a cache) and every v head copied into the cache (or quantized to fp8 e4m3 there).
#include "kernels/cuda/kv_append_cuda.hpp"

#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#include "kernels/core/element_traits.hpp"
#include "kernels/core/kv_append_check.hpp"
#include "kernels/core/kv_append_indexing.hpp"
#include "kernels/core/fp8_e4m3.hpp"
#include "kernels/core/token_indexing.hpp"

namespace mmrope::kernels {
namespace {

constexpr int kThreads = 128;

template <DType T>
__global__ void __launch_bounds__(kThreads) kv_append_kernel(const __grid_constant__ KvAppendParams p, unsigned* faults) {
  using Traits = ElementTraits<T>;
  using Storage = typename Traits::Storage;
  extern __shared__ double2 slot_cos_sin[];  // [append_slots]: append_slot_cos_sin of each slot at this token
  const int pairs = p.pairs(), slots = append_slots(p);
  const bool cached = p.cache.k != nullptr;
  const CosSin unrotated{p.frequencies.attention_factor, 0.0};
  for (std::int64_t n = blockIdx.x; n < p.tokens(); n += gridDim.x) {
    unsigned fault = 0;
    const AppendToken t = append_token(p, n, fault);
    const TokenPositions positions = append_positions(p, t, n, fault);
    const std::int64_t slot = append_cache_slot(p, t, n, fault);
    if (fault != 0) {  // the same for every thread of the block: nothing of this token is written
      if (threadIdx.x == 0) atomicOr(faults, fault);
      continue;
    }
    for (int s = threadIdx.x; s < slots; s += blockDim.x) {
      const CosSin cs = append_slot_cos_sin(p, positions, s);
      slot_cos_sin[s] = make_double2(cs.cos, cs.sin);
    }
    __syncthreads();
    const bool k_written = !cached || slot >= 0;
    const int heads = p.q_heads + (k_written ? p.kv_heads : 0);  // q heads, then k heads
    auto k_out = [&](int head) -> std::int64_t {  // k's destination: the cache slot, or k's output
      return cached ? slot * p.cache.slot_stride + head * p.cache.head_stride : n * p.k.token_stride + head * p.k.head_stride;
    };
    for (int item = threadIdx.x; item < heads * pairs; item += blockDim.x) {
      const int h = item / pairs, j = item % pairs;
      const bool is_query = h < p.q_heads;
      const int head = is_query ? h : h - p.q_heads;
      const Storage* in = is_query ? static_cast<const Storage*>(p.q.input) + n * p.q.token_stride + head * p.q.head_stride
                                   : static_cast<const Storage*>(p.k.input) + n * p.k.token_stride + head * p.k.head_stride;
      const int s = append_slot_of(p, is_query, head, j);
      const CosSin cs = s < 0 ? unrotated : CosSin{slot_cos_sin[s].x, slot_cos_sin[s].y};
      const PairChannels c = pair_channels(p.pairing, j, p.rotary_dim);
      const double a = Traits::widen(in[c.first]), b = Traits::widen(in[c.second]);  // both read before either store
      const PairValues y = rotate_pair(a, b, cs, Direction::forward);
      if (!is_query && cached && p.cache.fp8_e4m3) {
        std::uint8_t* out = static_cast<std::uint8_t*>(p.cache.k) + k_out(head);
        out[c.first] = double_to_e4m3(y.first / p.cache.k_scale);
        out[c.second] = double_to_e4m3(y.second / p.cache.k_scale);
        continue;
      }
      Storage* out = is_query ? static_cast<Storage*>(p.q.output) + n * p.q.token_stride + head * p.q.head_stride
                              : static_cast<Storage*>(cached ? p.cache.k : p.k.output) + k_out(head);
      out[c.first] = Traits::narrow(y.first);
      out[c.second] = Traits::narrow(y.second);
    }
    // Tails (channels past rotary_dim) of q out of place and of k (out of place, or into the cache), and v whole.
    const int tail = p.head_dim - p.rotary_dim;
    const bool q_tail = p.q.output != p.q.input, k_tail = cached || p.k.output != p.k.input;
    for (int item = threadIdx.x; item < heads * tail; item += blockDim.x) {
      const int h = item / tail, c = p.rotary_dim + item % tail;
      if (h < p.q_heads) {
        if (q_tail)
          static_cast<Storage*>(p.q.output)[n * p.q.token_stride + h * p.q.head_stride + c] =
              static_cast<const Storage*>(p.q.input)[n * p.q.token_stride + h * p.q.head_stride + c];
      } else if (k_tail) {
        const int head = h - p.q_heads;
        const std::int64_t at = k_out(head) + c;
        const Storage k = static_cast<const Storage*>(p.k.input)[n * p.k.token_stride + head * p.k.head_stride + c];
        if (cached && p.cache.fp8_e4m3) static_cast<std::uint8_t*>(p.cache.k)[at] = double_to_e4m3(Traits::widen(k) / p.cache.k_scale);
        else static_cast<Storage*>(cached ? p.cache.k : p.k.output)[at] = k;
      }
    }
    if (cached && slot >= 0)
      for (int item = threadIdx.x; item < p.kv_heads * p.head_dim; item += blockDim.x) {
        const int head = item / p.head_dim, c = item % p.head_dim;
        const std::int64_t cache = slot * p.cache.slot_stride + head * p.cache.head_stride + c;
        const Storage v = static_cast<const Storage*>(p.v.input)[n * p.v.token_stride + head * p.v.head_stride + c];
        if (p.cache.fp8_e4m3) static_cast<std::uint8_t*>(p.cache.v)[cache] = double_to_e4m3(Traits::widen(v) / p.cache.v_scale);
        else static_cast<Storage*>(p.cache.v)[cache] = v;
      }
    __syncthreads();  // the next token's cos/sin overwrite the shared ones
  }
}

}  // namespace

int apply_kv_append_cuda(const KvAppendParams& p, unsigned* device_faults, void* stream) {
  if (const std::string problem = kv_append_params_problem(p); !problem.empty()) throw std::invalid_argument(problem);
  if (device_faults == nullptr) throw std::invalid_argument("apply_kv_append_cuda needs device_faults (device memory)");
  const auto s = static_cast<cudaStream_t>(stream);
  const std::int64_t tokens = p.tokens();
  if (tokens == 0) return 0;  // an empty step (cu_new_tokens all 0): nothing to launch
  const unsigned grid = static_cast<unsigned>(tokens < 65536 ? tokens : 65536);
  const std::size_t shared = static_cast<std::size_t>(append_slots(p)) * sizeof(double2);
  switch (p.dtype) {
    case DType::fp32: kv_append_kernel<DType::fp32><<<grid, kThreads, shared, s>>>(p, device_faults); break;
    case DType::fp16: kv_append_kernel<DType::fp16><<<grid, kThreads, shared, s>>>(p, device_faults); break;
    case DType::bf16: kv_append_kernel<DType::bf16><<<grid, kThreads, shared, s>>>(p, device_faults); break;
  }
  return static_cast<int>(cudaGetLastError());
}

}  // namespace mmrope::kernels
