// The decode kernel: a block per new token, its cos/sin per pair once in shared memory, then every q head and
// (where the token has a cache slot) every k head rotated and every v head copied into the cache (or quantized
// to fp8 e4m3 there).
#include "kernels/cuda/kv_append_cuda.hpp"

#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#include "kernels/core/kv_append_check.hpp"
#include "kernels/core/kv_append_indexing.hpp"
#include "kernels/core/element_traits.hpp"
#include "kernels/core/fp8_e4m3.hpp"
#include "kernels/core/token_indexing.hpp"

namespace mmrope::kernels {
namespace {

constexpr int kThreads = 128;

template <DType T>
__global__ void __launch_bounds__(kThreads) decode_kernel(const __grid_constant__ KvAppendParams p, unsigned* faults) {
  using Traits = ElementTraits<T>;
  using Storage = typename Traits::Storage;
  extern __shared__ double2 pair_cos_sin[];  // [pairs]: position_cos_sin of each pair at this token
  const int pairs = p.pairs();
  const RotaryFrequencyArgs& f = p.frequencies;
  for (std::int64_t n = blockIdx.x; n < p.tokens(); n += gridDim.x) {
    const AppendToken t = append_token(p, n);
    unsigned fault = 0;
    const std::int64_t position = append_position(p, t, fault);
    const std::int64_t slot = append_cache_slot(p, t, n, fault);
    if (fault != 0) {  // the same for every thread of the block: nothing of this token is written
      if (threadIdx.x == 0) atomicOr(faults, fault);
      continue;
    }
    for (int j = threadIdx.x; j < pairs; j += blockDim.x) {
      const CosSin cs = position_cos_sin(position, f.turn_frequencies[j], f.attention_factor);
      pair_cos_sin[j] = make_double2(cs.cos, cs.sin);
    }
    __syncthreads();
    const int heads = p.q_heads + (slot >= 0 ? p.kv_heads : 0);  // q heads, then k heads
    for (int item = threadIdx.x; item < heads * pairs; item += blockDim.x) {
      const int h = item / pairs, j = item % pairs;
      const bool is_query = h < p.q_heads;
      const int head = is_query ? h : h - p.q_heads;
      const Storage* in = is_query ? static_cast<const Storage*>(p.q.input) + n * p.q.token_stride + head * p.q.head_stride
                                   : static_cast<const Storage*>(p.k.input) + n * p.k.token_stride + head * p.k.head_stride;
      const std::int64_t cache = slot * p.cache.slot_stride + head * p.cache.head_stride;
      const CosSin cs = pair_rotates_for_head(f, is_query, head, j) ? CosSin{pair_cos_sin[j].x, pair_cos_sin[j].y}
                                                                   : CosSin{f.attention_factor, 0.0};
      const PairChannels c = pair_channels(p.pairing, j, p.rotary_dim);
      const double a = Traits::widen(in[c.first]), b = Traits::widen(in[c.second]);  // both read before either store
      const PairValues y = rotate_pair(a, b, cs, Direction::forward);
      if (!is_query && p.cache.fp8_e4m3) {
        std::uint8_t* out = static_cast<std::uint8_t*>(p.cache.k) + cache;
        out[c.first] = double_to_e4m3(y.first / p.cache.k_scale);
        out[c.second] = double_to_e4m3(y.second / p.cache.k_scale);
        continue;
      }
      Storage* out = is_query ? static_cast<Storage*>(p.q.output) + n * p.q.token_stride + head * p.q.head_stride
                              : static_cast<Storage*>(p.cache.k) + cache;
      out[c.first] = Traits::narrow(y.first);
      out[c.second] = Traits::narrow(y.second);
    }
    // Tails (channels past rotary_dim) of q out of place and of k, and v whole.
    const int tail = p.head_dim - p.rotary_dim;
    const bool q_tail = p.q.output != p.q.input;
    for (int item = threadIdx.x; item < heads * tail; item += blockDim.x) {
      const int h = item / tail, c = p.rotary_dim + item % tail;
      if (h < p.q_heads) {
        if (q_tail)
          static_cast<Storage*>(p.q.output)[n * p.q.token_stride + h * p.q.head_stride + c] =
              static_cast<const Storage*>(p.q.input)[n * p.q.token_stride + h * p.q.head_stride + c];
      } else {
        const int head = h - p.q_heads;
        const std::int64_t cache = slot * p.cache.slot_stride + head * p.cache.head_stride + c;
        const Storage k = static_cast<const Storage*>(p.k.input)[n * p.k.token_stride + head * p.k.head_stride + c];
        if (p.cache.fp8_e4m3) static_cast<std::uint8_t*>(p.cache.k)[cache] = double_to_e4m3(Traits::widen(k) / p.cache.k_scale);
        else static_cast<Storage*>(p.cache.k)[cache] = k;
      }
    }
    if (slot >= 0)
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
  const unsigned grid = static_cast<unsigned>(tokens < 65536 ? tokens : 65536);
  const std::size_t shared = static_cast<std::size_t>(p.pairs()) * sizeof(double2);
  switch (p.dtype) {
    case DType::fp32: decode_kernel<DType::fp32><<<grid, kThreads, shared, s>>>(p, device_faults); break;
    case DType::fp16: decode_kernel<DType::fp16><<<grid, kThreads, shared, s>>>(p, device_faults); break;
    case DType::bf16: decode_kernel<DType::bf16><<<grid, kThreads, shared, s>>>(p, device_faults); break;
  }
  return static_cast<int>(cudaGetLastError());
}

}  // namespace mmrope::kernels
