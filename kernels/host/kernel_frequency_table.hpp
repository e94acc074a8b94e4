// Builds the kernels' frequency table from a RotarySpec: exact turn frequencies split in three doubles, axes.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/core/rotary_params.hpp"
#include "reference/frequency/rotary_spec.hpp"

namespace mmrope::kernels {

// Owns the table a RotaryFrequencyArgs points at, plus the spec's dims and pairing for filling the params.
struct KernelFrequencyTable {
  std::vector<TurnFrequency> turn_frequencies;  // per pair
  std::vector<std::int8_t> axis_of;             // per pair, or per KV head (MHRoPE)
  bool per_kv_head = false;
  int query_heads = 0, kv_heads = 0;            // MHRoPE only
  double attention_factor = 1;                  // rounded once from the exact factor
  int head_dim = 0, rotary_dim = 0;
  Pairing pairing = Pairing::neox;

  // Host pointers into this table (the CUDA launcher's callers copy the two arrays to the device).
  RotaryFrequencyArgs args() const;
};

// f_j = theta_j / (2 pi) from the reference's exact (Mpfr256) plan, scaling included, split as turn_phase.hpp says.
KernelFrequencyTable kernel_frequency_table(const RotarySpec& spec);

// The split of one exact turn frequency given as a decimal string of the Mpfr256 value (exposed for tests).
TurnFrequency split_turn_frequency_text(const char* decimal);

}  // namespace mmrope::kernels
