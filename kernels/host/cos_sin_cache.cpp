// The fp32 cos/sin cache, from the training kernels' phase (token_angles.hpp) rounded once to fp32.
#include "kernels/host/cos_sin_cache.hpp"

#include <stdexcept>
#include <string>

#include "kernels/core/params_check.hpp"
#include "kernels/core/token_angles.hpp"

namespace mmrope::kernels {

CosSinCache build_cos_sin_cache(const KernelFrequencyTable& table, std::int64_t max_position) {
  constexpr std::int64_t kLargestCache = std::int64_t{1} << 28;  // floats: a 1 GiB cache
  const int pairs = table.rotary_dim / 2;
  if (max_position <= 0 || max_position > kMaxKernelPosition + 1 || max_position * table.rotary_dim > kLargestCache)
    throw std::invalid_argument("a cos/sin cache of " + std::to_string(max_position) + " rows of " +
                                std::to_string(table.rotary_dim) + " floats: rows must be in [1, 2^31] and the cache at most 2^28 floats");
  CosSinCache c;
  c.max_position = max_position;
  c.rotary_dim = table.rotary_dim;
  c.values.resize(static_cast<std::size_t>(max_position * table.rotary_dim));
  for (std::int64_t r = 0; r < max_position; ++r)
    for (int j = 0; j < pairs; ++j) {
      const CosSin cs = position_cos_sin(r, table.turn_frequencies[static_cast<std::size_t>(j)], table.attention_factor);
      c.values[static_cast<std::size_t>(r * table.rotary_dim + j)] = static_cast<float>(cs.cos);
      c.values[static_cast<std::size_t>(r * table.rotary_dim + pairs + j)] = static_cast<float>(cs.sin);
    }
  return c;
}

}  // namespace mmrope::kernels
