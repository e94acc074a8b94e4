// A kernel test case: spec, shapes, layout, dtype, positions and random inputs, run on a backend and judged.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "kernels/core/dtype_conversion.hpp"
#include "kernels/core/rotary_params.hpp"
#include "kernels/host/apply_rotary_host.hpp"
#include "kernels/host/kernel_frequency_table.hpp"
#include "kernels/host/reference_check.hpp"
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
  ElementType dtype = ElementType::bf16;
  TensorLayout layout = TensorLayout::bshd;
  RotationDirection direction = RotationDirection::forward;
  PositionSource positions = PositionSource::int64_3axis;
  bool in_place = false;
  bool fused_qkv = false;                        // q and k as views of one [tokens, q+2k heads] buffer
  std::vector<std::int64_t> sequence_lengths = {3, 5};  // bshd/sbhd pad to the longest
  int q_heads = 4, k_heads = 2;
  std::int64_t largest_position = 100;           // positions drawn near this magnitude
  bool negative_positions = false;

  std::string name() const;
  RotarySpec spec() const;
};

// The buffers of one launch; params() points into them (host memory).
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
  RotaryKernelParams params;                             // the launch
  RotaryKernelParams judged;                             // inputs -> originals, outputs -> results
};

// Builds a case with random inputs (values of the dtype spread over magnitudes 2^-4..2^4, some zeros).
KernelCaseData make_case(const KernelCase& c, std::mt19937_64& rng);

// Runs `backend` on the case's launch params (host backend by default), then judges against the reference.
KernelVerdict run_and_check(KernelCaseData& data,
                            const std::function<void(const RotaryKernelParams&)>& backend = apply_rotary_host);

// A random finite value of the dtype (as a double) and its stored form.
double random_value(ElementType t, std::mt19937_64& rng);
void store_value(std::uint8_t* base, std::int64_t offset, ElementType t, double exactly_representable);

}  // namespace mmrope::kernels::testing
