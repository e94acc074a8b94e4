// CUDA RoPE kernels: one block per token, cos/sin once per (token, pair) in shared memory, 16-byte loads.
#include "kernels/cuda/apply_rotary_cuda.hpp"

#include <cuda_runtime.h>

#include <cstdint>
#include <stdexcept>

#include "kernels/core/element_traits.hpp"
#include "kernels/core/params_check.hpp"
#include "kernels/core/token_angles.hpp"
#include "kernels/core/token_indexing.hpp"

namespace mmrope::kernels {
namespace {

constexpr int kThreads = 256;
constexpr int kVectorBytes = 16;

// V elements of one dtype moved as one 16-byte load or store.
template <DType T>
struct alignas(kVectorBytes) Vector {
  static constexpr int size = kVectorBytes / sizeof(typename ElementTraits<T>::Storage);
  typename ElementTraits<T>::Storage v[size];
};

template <DType T>
__device__ MMROPE_FORCE_INLINE Vector<T> load_vector(const void* base, std::int64_t offset) {
  const auto* p = reinterpret_cast<const uint4*>(static_cast<const typename ElementTraits<T>::Storage*>(base) + offset);
  const uint4 raw = __ldg(p);
  Vector<T> out;
  memcpy(&out, &raw, sizeof raw);
  return out;
}

template <DType T>
__device__ MMROPE_FORCE_INLINE void store_vector(void* base, std::int64_t offset, const Vector<T>& x) {
  uint4 raw;
  memcpy(&raw, &x, sizeof raw);
  *reinterpret_cast<uint4*>(static_cast<typename ElementTraits<T>::Storage*>(base) + offset) = raw;
}

__device__ MMROPE_FORCE_INLINE CosSin slot_or_none(const double2* slots, int slot, double attention_factor) {
  if (slot < 0) return {attention_factor, 0.0};
  const double2 s = slots[slot];
  return {s.x, s.y};
}

// One tensor's rotation work of a token: items are (head, chunk of pairs); vectorized chunks hold V pairs
// (neox: V first channels and V second channels) or V/2 pairs (gptj: V interleaved channels).
template <DType T>
__device__ void rotate_tensor(const RotaryKernelParams& p, const RotaryTensorArgs& t, bool is_query, std::int64_t base,
                              const double2* slots, bool vectorized) {
  using Traits = ElementTraits<T>;
  using Storage = typename Traits::Storage;
  constexpr int V = Vector<T>::size;
  const int pairs = p.pairs();
  const double af = p.frequencies.attention_factor;
  const auto* in = static_cast<const Storage*>(t.input);
  auto* out = static_cast<Storage*>(t.output);
  if (vectorized) {
    const bool neox = p.pairing == Pairing::neox;
    const int pairs_per_chunk = neox ? V : V / 2;
    const int chunks = pairs / pairs_per_chunk;
    for (int item = threadIdx.x; item < t.heads * chunks; item += blockDim.x) {
      const int h = item / chunks, first_pair = (item % chunks) * pairs_per_chunk;
      const std::int64_t head_base = base + h * t.head_stride;
      if (neox) {
        const std::int64_t o0 = head_base + first_pair, o1 = o0 + pairs;
        const Vector<T> a = load_vector<T>(in, o0), b = load_vector<T>(in, o1);
        Vector<T> ra, rb;
#pragma unroll
        for (int i = 0; i < V; ++i) {
          const CosSin cs = slot_or_none(slots, slot_of(p, is_query, h, first_pair + i), af);
          const PairValues y = rotate_pair(Traits::widen(a.v[i]), Traits::widen(b.v[i]), cs, p.direction);
          ra.v[i] = Traits::narrow(y.first);
          rb.v[i] = Traits::narrow(y.second);
        }
        store_vector<T>(out, o0, ra);
        store_vector<T>(out, o1, rb);
      } else {
        const std::int64_t o = head_base + 2 * first_pair;
        const Vector<T> a = load_vector<T>(in, o);
        Vector<T> r;
#pragma unroll
        for (int i = 0; i < V / 2; ++i) {
          const CosSin cs = slot_or_none(slots, slot_of(p, is_query, h, first_pair + i), af);
          const PairValues y = rotate_pair(Traits::widen(a.v[2 * i]), Traits::widen(a.v[2 * i + 1]), cs, p.direction);
          r.v[2 * i] = Traits::narrow(y.first);
          r.v[2 * i + 1] = Traits::narrow(y.second);
        }
        store_vector<T>(out, o, r);
      }
    }
    if (out != in) {  // the tail passes through
      const int tail_vectors = (p.head_dim - p.rotary_dim) / V;
      for (int item = threadIdx.x; item < t.heads * tail_vectors; item += blockDim.x) {
        const std::int64_t o = base + (item / tail_vectors) * t.head_stride + p.rotary_dim + (item % tail_vectors) * V;
        store_vector<T>(out, o, load_vector<T>(in, o));
      }
    }
    return;
  }
  for (int item = threadIdx.x; item < t.heads * pairs; item += blockDim.x) {
    const int h = item / pairs, j = item % pairs;
    const std::int64_t head_base = base + h * t.head_stride;
    const PairChannels c = pair_channels(p.pairing, j, p.rotary_dim);
    const CosSin cs = slot_or_none(slots, slot_of(p, is_query, h, j), af);
    const PairValues y = rotate_pair(Traits::widen(in[head_base + c.first]), Traits::widen(in[head_base + c.second]), cs,
                                     p.direction);
    out[head_base + c.first] = Traits::narrow(y.first);
    out[head_base + c.second] = Traits::narrow(y.second);
  }
  if (out != in) {
    const int tail = p.head_dim - p.rotary_dim;
    for (int item = threadIdx.x; item < t.heads * tail; item += blockDim.x) {
      const std::int64_t o = base + (item / tail) * t.head_stride + p.rotary_dim + item % tail;
      out[o] = in[o];
    }
  }
}

template <DType T>
__global__ void __launch_bounds__(kThreads) rotary_kernel(const RotaryKernelParams p, bool vectorized) {
  extern __shared__ double2 slots[];
  const std::int64_t tokens = p.tokens();
  const int slot_count = angle_slots(p);
  for (std::int64_t n = blockIdx.x; n < tokens; n += gridDim.x) {
    const TokenLocation where = locate_token(p, n);
    const TokenPositions pos = token_positions(p, n, where);
    for (int s = threadIdx.x; s < slot_count; s += blockDim.x) {
      const CosSin cs = slot_cos_sin(p, pos, s);  // once per (token, pair[, axis]), shared by all heads
      slots[s] = make_double2(cs.cos, cs.sin);
    }
    __syncthreads();
    if (p.q.heads > 0) rotate_tensor<T>(p, p.q, true, token_offset(p, p.q, n, where), slots, vectorized);
    if (p.k.heads > 0) rotate_tensor<T>(p, p.k, false, token_offset(p, p.k, n, where), slots, vectorized);
    __syncthreads();  // the slots are rewritten for the next token
  }
}

bool aligned(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % kVectorBytes == 0; }

}  // namespace

bool rotary_launch_is_vectorized(const RotaryKernelParams& p) {
  const int bytes = element_bytes(p.dtype);
  const int v = kVectorBytes / bytes;
  const int pairs = p.pairs();
  if (p.pairing == Pairing::neox ? pairs % v != 0 : p.rotary_dim % v != 0) return false;
  if ((p.head_dim - p.rotary_dim) % v != 0) return false;
  for (const RotaryTensorArgs* t : {&p.q, &p.k}) {
    if (t->heads == 0) continue;
    if (!aligned(t->input) || !aligned(t->output)) return false;
    for (std::int64_t stride : {t->batch_stride, t->seq_stride, t->head_stride})
      if ((stride * bytes) % kVectorBytes != 0) return false;
  }
  return true;
}

int apply_rotary_cuda(const RotaryKernelParams& p, void* stream) {
  if (const std::string problem = rotary_params_problem(p); !problem.empty()) throw std::invalid_argument(problem);
  const std::int64_t tokens = p.tokens();
  if (tokens == 0 || (p.q.heads == 0 && p.k.heads == 0)) return 0;
  const unsigned grid = static_cast<unsigned>(tokens < 0x7FFFFFFF ? tokens : 0x7FFFFFFF);
  const std::size_t shared = static_cast<std::size_t>(angle_slots(p)) * sizeof(double2);
  const bool vectorized = rotary_launch_is_vectorized(p);
  auto s = static_cast<cudaStream_t>(stream);
  switch (p.dtype) {
    case DType::fp32: rotary_kernel<DType::fp32><<<grid, kThreads, shared, s>>>(p, vectorized); break;
    case DType::fp16: rotary_kernel<DType::fp16><<<grid, kThreads, shared, s>>>(p, vectorized); break;
    case DType::bf16: rotary_kernel<DType::bf16><<<grid, kThreads, shared, s>>>(p, vectorized); break;
  }
  return static_cast<int>(cudaGetLastError());
}

}  // namespace mmrope::kernels
