// Host backend throughput (GB/s) beside a plain memcpy of the same bytes, measured in the same run.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string_view>
#include <vector>

#include "benchmark_options.hpp"
#include "kernels/core/dtype_conversion.hpp"
#include "kernels/host/apply_rotary_host.hpp"
#include "kernels/host/kernel_frequency_table.hpp"
#include "reference/presets/preset_rotary.hpp"
#include "reference/presets/presets.hpp"

// Usage: mmrope_host_kernel_benchmark [--tokens N] [--repeats R]; Qwen2-VL-7B shapes (28 q / 4 KV heads, 128), bf16.
int main(int argc, char** argv) {
  using namespace mmrope;
  using namespace mmrope::kernels;
  std::int64_t tokens = 4096;
  int repeats = 3;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc || (arg != "--tokens" && arg != "--repeats")) {
      std::cerr << "usage: mmrope_host_kernel_benchmark [--tokens N] [--repeats R]\n";
      return 2;
    }
    if (arg == "--tokens") tokens = benchmarks::parse_count(arg, argv[++i], 1, 1 << 20);
    else repeats = benchmarks::parse_count(arg, argv[++i], 1, 1000);
  }
  const RotarySpec spec = rotary_spec_for(find_preset("qwen2-vl").frequency);
  const KernelFrequencyTable table = kernel_frequency_table(spec);
  const int q_heads = 28, k_heads = 4, d = 128;
  std::vector<std::uint16_t> q(tokens * q_heads * d), k(tokens * k_heads * d), q_out(q.size()), k_out(k.size());
  for (std::size_t i = 0; i < q.size(); ++i) q[i] = double_to_bf16_bits(std::sin(0.001 * static_cast<double>(i)));
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = double_to_bf16_bits(std::cos(0.001 * static_cast<double>(i)));
  std::vector<std::int64_t> positions(3 * tokens);
  for (std::int64_t n = 0; n < tokens; ++n)
    for (int a = 0; a < 3; ++a) positions[a * tokens + n] = n / (a + 1);
  RotaryKernelParams p;
  p.dtype = DType::bf16;
  p.layout = TensorLayout::thd;
  p.total_tokens = tokens;
  p.head_dim = p.rotary_dim = d;
  p.positions.values = positions.data();
  p.positions.axis_stride = tokens;
  p.frequencies = table.args();
  p.q = contiguous_tensor(q.data(), q_out.data(), TensorLayout::thd, 1, tokens, q_heads, d);
  p.k = contiguous_tensor(k.data(), k_out.data(), TensorLayout::thd, 1, tokens, k_heads, d);
  // Bytes a RoPE pass moves: read q and k, write them (positions are negligible).
  const double bytes = 2.0 * static_cast<double>(q.size() + k.size()) * sizeof(std::uint16_t);
  const double rope = benchmarks::best_seconds(repeats, [&] { apply_rotary_host(p); });
  const double copy = benchmarks::best_seconds(repeats, [&] {
    std::memcpy(q_out.data(), q.data(), q.size() * 2);
    std::memcpy(k_out.data(), k.data(), k.size() * 2);
  });
  std::printf("tokens %lld, 28 q / 4 KV heads, head_dim 128, bf16, forward, one thread\n", static_cast<long long>(tokens));
  std::printf("host backend: %.3f s, %.3f GB/s\n", rope, bytes / rope / 1e9);
  std::printf("memcpy (same bytes read + written): %.4f s, %.2f GB/s\n", copy, bytes / copy / 1e9);
  std::printf("ratio host backend / memcpy: %.4f\n", copy / rope);
  return 0;
}
