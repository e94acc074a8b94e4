// CUDA RoPE kernels: a warp per token with cos/sin in registers (the fast path), else a block per token sharing them.
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

// ReadOnly: through the read-only data cache (__ldg), only where no output of the launch is its input.
template <DType T, bool ReadOnly>
__device__ MMROPE_FORCE_INLINE Vector<T> load_vector(const void* base, std::int64_t offset) {
  const auto* p = reinterpret_cast<const uint4*>(static_cast<const typename ElementTraits<T>::Storage*>(base) + offset);
  uint4 raw;
  if constexpr (ReadOnly) raw = __ldg(p);
  else raw = *p;
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
template <DType T, bool ReadOnly>
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
        const Vector<T> a = load_vector<T, ReadOnly>(in, o0), b = load_vector<T, ReadOnly>(in, o1);
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
        const Vector<T> a = load_vector<T, ReadOnly>(in, o);
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
        store_vector<T>(out, o, load_vector<T, ReadOnly>(in, o));
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

template <DType T, bool ReadOnly>
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
    if (p.q.heads > 0) rotate_tensor<T, ReadOnly>(p, p.q, true, token_offset(p, p.q, n, where), slots, vectorized);
    if (p.k.heads > 0) rotate_tensor<T, ReadOnly>(p, p.k, false, token_offset(p, p.k, n, where), slots, vectorized);
    __syncthreads();  // the slots are rewritten for the next token
  }
}

// The fast path: one warp per token. Lane l owns pairs [first, first + PairsPerLane) of every head (neox: a
// vector of first channels and one of second channels; gptj: one vector of interleaved channels); the warp
// computes each pair's cos/sin once per token, each lane keeps its own in registers, and walks the q heads
// then the k heads as one index, a few heads per step. No shared memory and no barrier; the first loads are
// issued before the cos/sin math, and each head's next loads before its stores.
// The same core functions as the other path and the host backend: the same bits.
// The fast path's uniform slow path, out of line: one lane's vectors of one head recomputed with the full
// conversions (subnormal, overflowing or non-finite results), its cos/sin too. Called before the head's
// stores, so an in-place input is still intact.
template <DType T, Pairing P>
__device__ __noinline__ void rotate_lane_slow(const RotaryKernelParams& p, TokenPositions pos, int first_pair,
                                              const void* in, void* out, std::int64_t o) {
  using Traits = ElementTraits<T>;
  constexpr int V = Vector<T>::size;
  const Vector<T> a = load_vector<T, false>(in, o);
  const Vector<T> b = P == Pairing::neox ? load_vector<T, false>(in, o + p.pairs()) : a;
  Vector<T> ra, rb;
  for (int i = 0; i < (P == Pairing::neox ? V : V / 2); ++i) {
    const CosSin cs = slot_cos_sin(p, pos, first_pair + i);
    if (P == Pairing::neox) {
      const PairValues y = rotate_pair(Traits::widen(a.v[i]), Traits::widen(b.v[i]), cs, p.direction);
      ra.v[i] = Traits::narrow(y.first);
      rb.v[i] = Traits::narrow(y.second);
    } else {
      const PairValues y = rotate_pair(Traits::widen(a.v[2 * i]), Traits::widen(a.v[2 * i + 1]), cs, p.direction);
      ra.v[2 * i] = Traits::narrow(y.first);
      ra.v[2 * i + 1] = Traits::narrow(y.second);
    }
  }
  store_vector<T>(out, o, ra);
  if (P == Pairing::neox) store_vector<T>(out, o + p.pairs(), rb);
}

// The lane, read afresh where it is used: ptxas (CUDA 13) otherwise keeps `threadIdx.x & 31` across the token
// loop in local memory in the fp32 gptj read-only instantiation, one spill it trades for occupancy.
__device__ __forceinline__ int lane_id() {
  unsigned lane;
  asm volatile("mov.u32 %0, %%laneid;" : "=r"(lane));
  return static_cast<int>(lane);
}

template <DType T, Pairing P, bool ReadOnly>
__global__ void __launch_bounds__(kThreads) rotary_kernel_fast(const __grid_constant__ RotaryKernelParams p,
                                                               int lanes_per_head_log2) {
  using Traits = ElementTraits<T>;
  constexpr int V = Vector<T>::size;
  constexpr int kPairsPerLane = P == Pairing::neox ? V : V / 2;
  const int lane = static_cast<int>(threadIdx.x) & 31;
  const int heads_per_step = 32 >> lanes_per_head_log2;
  const int first_head = lane >> lanes_per_head_log2;
  const int first_pair = (lane & ((1 << lanes_per_head_log2) - 1)) * kPairsPerLane;
  const int pairs = p.pairs();
  const int total_heads = p.q.heads + p.k.heads;
  const bool backward = p.direction == Direction::backward;
  const std::int64_t tokens = p.tokens();
  const std::int64_t warps_per_block = blockDim.x / 32;
  const std::int64_t warps = static_cast<std::int64_t>(gridDim.x) * warps_per_block;
  for (std::int64_t n = blockIdx.x * warps_per_block + threadIdx.x / 32; n < tokens; n += warps) {
    const TokenLocation where = locate_token_narrow(p, n);  // the launch checked token_indices_fit_32_bits
    const std::int64_t q_base = token_offset(p, p.q, n, where), k_base = token_offset(p, p.k, n, where);
    // Offset of this lane's first vector in head h (q heads first, then k heads) and the tensor it is in.
    const auto offset_of = [&](int h) {
      return h < p.q.heads ? q_base + h * p.q.head_stride + (P == Pairing::neox ? first_pair : 2 * first_pair)
                           : k_base + (h - p.q.heads) * p.k.head_stride + (P == Pairing::neox ? first_pair : 2 * first_pair);
    };
    int h = first_head;
    Vector<T> a{}, b{};
    if (h < total_heads) {
      const void* in = h < p.q.heads ? p.q.input : p.k.input;
      a = load_vector<T, ReadOnly>(in, offset_of(h));
      if constexpr (P == Pairing::neox) b = load_vector<T, ReadOnly>(in, offset_of(h) + pairs);
    }
    const TokenPositions pos = token_positions(p, n, where);
    // cos/sin of every pair once per token across the warp: in round r lane l computes pair l + 32 r, and each
    // lane takes its pairs from their owners by shuffles (a lane's pairs recur in every head it walks).
    CosSin cs[kPairsPerLane];
    for (int r = 0; 32 * r < pairs; ++r) {
      const int mine = lane_id() + 32 * r;
      const CosSin computed = mine < pairs ? slot_cos_sin(p, pos, mine) : CosSin{};
#pragma unroll
      for (int i = 0; i < kPairsPerLane; ++i) {
        const int pair = first_pair + i;
        const double c = __shfl_sync(0xFFFFFFFFu, computed.cos, pair & 31);
        const double sn = __shfl_sync(0xFFFFFFFFu, computed.sin, pair & 31);
        if ((pair >> 5) == r) cs[i] = {c, backward ? -sn : sn};  // R^T: what rotate_pair does for backward
      }
    }
    for (; h < total_heads; h += heads_per_step) {
      const std::int64_t o = offset_of(h);
      void* out = h < p.q.heads ? p.q.output : p.k.output;
      // Every result through the branch-free rounding; one test for the lane's vectors, not one per element.
      Vector<T> ra, rb;
      bool common = true;
      if constexpr (P == Pairing::neox) {
#pragma unroll
        for (int i = 0; i < V; ++i) {
          const PairValues y = rotate_pair(Traits::widen(a.v[i]), Traits::widen(b.v[i]), cs[i], Direction::forward);
          common &= Traits::narrow_common(y.first, ra.v[i]);
          common &= Traits::narrow_common(y.second, rb.v[i]);
        }
      } else {
#pragma unroll
        for (int i = 0; i < V / 2; ++i) {
          const PairValues y = rotate_pair(Traits::widen(a.v[2 * i]), Traits::widen(a.v[2 * i + 1]), cs[i], Direction::forward);
          common &= Traits::narrow_common(y.first, ra.v[2 * i]);
          common &= Traits::narrow_common(y.second, ra.v[2 * i + 1]);
        }
      }
      if (!common) rotate_lane_slow<T, P>(p, pos, first_pair, h < p.q.heads ? p.q.input : p.k.input, out, o);
      const int next = h + heads_per_step;
      if (next < total_heads) {  // the next head's loads go out before this head's stores
        const void* in = next < p.q.heads ? p.q.input : p.k.input;
        a = load_vector<T, ReadOnly>(in, offset_of(next));
        if constexpr (P == Pairing::neox) b = load_vector<T, ReadOnly>(in, offset_of(next) + pairs);
      }
      if (common) {
        store_vector<T>(out, o, ra);
        if constexpr (P == Pairing::neox) store_vector<T>(out, o + pairs, rb);
      }
    }
  }
}

bool aligned(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % kVectorBytes == 0; }

// No input of the launch is one of its outputs (q and k may be rotated in place).
bool inputs_read_only(const RotaryKernelParams& p) {
  for (const RotaryTensorArgs* in : {&p.q, &p.k})
    for (const RotaryTensorArgs* out : {&p.q, &p.k})
      if (in->heads > 0 && out->heads > 0 && in->input == out->output) return false;
  return true;
}

// log2 of the lanes one head takes on the fast path, or -1 where it does not apply.
int fast_path_lanes_log2(const RotaryKernelParams& p) {
  if (p.frequencies.per_kv_head || p.rotary_dim != p.head_dim || !rotary_launch_is_vectorized(p) ||
      !token_indices_fit_32_bits(p))
    return -1;
  const int v = kVectorBytes / element_bytes(p.dtype);
  const int pairs_per_lane = p.pairing == Pairing::neox ? v : v / 2;
  const int lanes = p.pairs() / pairs_per_lane;
  for (int log2 = 0; log2 <= 5; ++log2)
    if (lanes == (1 << log2)) return log2;  // pairs <= 32 lanes x 8: at most 8 cos/sin rounds
  return -1;  // a head that is not 1, 2, 4, ..., 32 lanes wide
}

template <DType T, bool ReadOnly>
void launch(const RotaryKernelParams& p, RotaryPath path, int lanes_log2, unsigned tokens_grid, cudaStream_t s) {
  if (path == RotaryPath::fast) {
    constexpr int kWarps = kThreads / 32;
    const unsigned grid = (tokens_grid + kWarps - 1) / kWarps;
    if (p.pairing == Pairing::neox) rotary_kernel_fast<T, Pairing::neox, ReadOnly><<<grid, kThreads, 0, s>>>(p, lanes_log2);
    else rotary_kernel_fast<T, Pairing::gptj, ReadOnly><<<grid, kThreads, 0, s>>>(p, lanes_log2);
    return;
  }
  const std::size_t shared = static_cast<std::size_t>(angle_slots(p)) * sizeof(double2);
  rotary_kernel<T, ReadOnly><<<tokens_grid, kThreads, shared, s>>>(p, path == RotaryPath::vector);
}

template <DType T>
void launch(const RotaryKernelParams& p, RotaryPath path, int lanes_log2, unsigned tokens_grid, cudaStream_t s) {
  if (inputs_read_only(p)) launch<T, true>(p, path, lanes_log2, tokens_grid, s);
  else launch<T, false>(p, path, lanes_log2, tokens_grid, s);
}

}  // namespace

RotaryPath rotary_launch_path(const RotaryKernelParams& p) {
  if (fast_path_lanes_log2(p) >= 0) return RotaryPath::fast;
  return rotary_launch_is_vectorized(p) ? RotaryPath::vector : RotaryPath::scalar;
}

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

int apply_rotary_cuda(const RotaryKernelParams& p, void* stream, bool allow_fast_path) {
  if (const std::string problem = rotary_params_problem(p); !problem.empty()) throw std::invalid_argument(problem);
  const std::int64_t tokens = p.tokens();
  if (tokens == 0 || (p.q.heads == 0 && p.k.heads == 0)) return 0;
  const unsigned grid = static_cast<unsigned>(tokens < 0x7FFFFFFF ? tokens : 0x7FFFFFFF);
  RotaryPath path = rotary_launch_path(p);
  if (path == RotaryPath::fast && !allow_fast_path) path = RotaryPath::vector;
  const int lanes_log2 = fast_path_lanes_log2(p);
  auto s = static_cast<cudaStream_t>(stream);
  switch (p.dtype) {
    case DType::fp32: launch<DType::fp32>(p, path, lanes_log2, grid, s); break;
    case DType::fp16: launch<DType::fp16>(p, path, lanes_log2, grid, s); break;
    case DType::bf16: launch<DType::bf16>(p, path, lanes_log2, grid, s); break;
  }
  return static_cast<int>(cudaGetLastError());
}

}  // namespace mmrope::kernels
