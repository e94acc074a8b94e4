// A kernel test case: spec, shapes, layout, strides, dtype, positions and random inputs, run on a backend and judged.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "kernels/core/rotary_params.hpp"
#include "kernels/host/apply_rotary_host.hpp"
#include "kernels/host/kernel_frequency_table.hpp"
#include "independent_oracle.hpp"
#include "reference/rounding.hpp"
#include "reference/frequency/allocation_registry.hpp"
#include "reference/frequency/rotary_spec.hpp"

namespace mmrope::kernels::testing {

// How the launch receives positions.
enum class PositionSource { int32_3axis, int64_3axis, int64_1d, implicit };

struct KernelCase {
  std::string allocation = "chunked";
  std::string sections = "1,2,1";
  std::optional<HeadCounts> mhrope_heads;  // multi-head: the plan's heads (q and k heads follow)
  std::string base = "10000";
  RopeScaling scaling;
  int head_dim = 8;
  int rotary_dim = 8;
  Pairing pairing = Pairing::neox;
  DType dtype = DType::bf16;
  TensorLayout layout = TensorLayout::bshd;
  Direction direction = Direction::forward;
  PositionSource positions = PositionSource::int64_3axis;
  bool in_place = false;
  bool fused_qkv = false;                        // q and k as views of one [tokens, q+2k heads] buffer
  std::vector<std::int64_t> sequence_lengths = {3, 5};  // bshd/sbhd pad to the longest
  int q_heads = 4, k_heads = 2;
  std::int64_t largest_position = 100;           // positions drawn at every magnitude up to this one
  bool negative_positions = false;
  // Strides wider than contiguous, in elements: a gap after each head row, after each token's heads and
  // after each sequence (bshd) or each token row of the batch (sbhd). The gaps hold sentinels the kernel
  // must leave alone. position_token_stride spaces the positions of consecutive tokens.
  int head_gap = 0;
  std::int64_t token_gap = 0, batch_gap = 0;
  std::int64_t position_token_stride = 1;
  bool any_finite_values = false;                // inputs: any finite value of the dtype (else 2^-4..2^4 and zeros)

  std::string name() const;
  RotarySpec spec() const;
};

// Where one of q or k lives in its buffer: element (b, s, h, c) of a bshd/sbhd tensor at
// first + b * batch_stride + s * seq_stride + h * head_stride + c; of a thd tensor at
// first + (tokens before sequence b + s) * seq_stride + h * head_stride + c.
struct TensorPlacement {
  std::int64_t first = 0;  // elements from the start of the buffer
  int heads = 0;
  std::int64_t batch_stride = 0, seq_stride = 0, head_stride = 0;
};

// The buffers of one launch; params points into them (host memory).
struct KernelCaseData {
  KernelCaseData() = default;
  KernelCaseData(const KernelCaseData&) = delete;  // params point into the buffers: moves keep them valid, copies not
  KernelCaseData(KernelCaseData&&) = default;
  KernelCase c;
  KernelFrequencyTable table;
  std::vector<std::uint8_t> q_buffer, k_buffer;          // inputs (or, fused, the one qkv buffer)
  std::vector<std::uint8_t> q_result, k_result;          // outputs when out of place
  std::vector<std::uint8_t> q_original, k_original;      // copies of the inputs, for the reference
  std::vector<std::int32_t> positions32, cu_seqlens;
  std::vector<std::int64_t> positions64;
  // What the test means, kept apart from the launch's encoding of it: each token's (t, h, w) by sequence and
  // index (bshd/sbhd: padding slots too, which the kernel rotates like any token), and where q and k live.
  std::vector<std::vector<std::array<std::int64_t, 3>>> expected_positions;
  TensorPlacement q_place, k_place;
  bool k_in_q_buffer = false;                            // fused: k (and v) are views of the q buffer
  RotaryKernelParams params;                             // the launch
};

// Builds a case with random inputs (values of the dtype spread over magnitudes 2^-4..2^4, some zeros).
KernelCaseData make_case(const KernelCase& c, std::mt19937_64& rng);

// Element (b, s, head, channel) of a view, in elements from the start of its buffer (the strides' definition).
std::int64_t element_offset(const KernelCaseData& d, const TensorPlacement& t, int b, std::int64_t s, int head, int channel);

// The bit patterns of q (query) or k over the real tokens (padding slots left out), in (b, s, head, channel)
// order: the inputs as they were before the launch, or the outputs it wrote. Comparable across layouts.
std::vector<std::uint32_t> logical_bits(const KernelCaseData& d, bool query, bool output);

// Gives `to` the inputs and positions of `from` on the real tokens (same sequences, heads and head_dim), in
// its own layout and strides, and re-encodes its positions.
void copy_logical_inputs(const KernelCaseData& from, KernelCaseData& to);

// Writes the expected positions into the launch's position arrays (after changing expected_positions).
void encode_positions(KernelCaseData& d);

// Runs `backend` on the case's launch params (host backend by default), then judges the result with the
// independent oracle (independent_oracle.hpp).
OracleVerdict run_and_check(KernelCaseData& data,
                            const std::function<void(const RotaryKernelParams&)>& backend = apply_rotary_host);

// A random finite value of the dtype (as a double): of ordinary magnitude, 2^-4..2^4 with some zeros, or
// any finite value (subnormals and the largest included); and its stored form.
double random_value(DType t, std::mt19937_64& rng, bool any_finite = false);
void store_value(std::uint8_t* base, std::int64_t offset, DType t, double exactly_representable);

}  // namespace mmrope::kernels::testing
