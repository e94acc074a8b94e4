// libFuzzer harness: a decode step or a prefill chunk with its KV-cache write on the host twin. A step the harness knows to be
// sound must be accepted, and its q and cached k pass the exact reference (0.5 ulp + each element's derived
// term) with v copied and every other cache element untouched; a step with a fault the harness planted (a
// block table or slot mapping entry out of range, a cache too short) or a position outside the kernels' range
// must be refused before anything is written. Caches in the step's dtype or in fp8 e4m3 with a per-tensor scale;
// prefill chunks with given positions, the phase from a cos/sin cache (judged against its values) or no cache.
//
// Input format: fuzz/append_fuzz_input.hpp.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <optional>
#include <string>

#include "append_case.hpp"
#include "fuzz/append_fuzz_input.hpp"
#include "kernels/host/kv_append_host.hpp"

using namespace mmrope;
using namespace mmrope::kernels;
using namespace mmrope::kernels::testing;

namespace {

[[noreturn]] void fail(const AppendCase& c, std::uint64_t seed, const std::string& why) {
  std::fprintf(stderr, "decode_fuzzer: %s (data seed %llu): %s\n", c.name().c_str(), static_cast<unsigned long long>(seed),
               why.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::InputBytes bytes(data, size);
  const std::optional<fuzz::AppendFuzzInput> in = fuzz::read_append_fuzz_input(bytes);
  if (!in) return 0;  // every chunk empty: nothing to append
  const AppendCase& c = in->c;
  const std::uint64_t seed = in->seed;
  const bool position_fault = in->position_fault;
  std::mt19937_64 rng(seed);
  AppendData d = make_append_data(c, rng);
  const bool planted = fuzz::plant_append_fault(*in, d);
  const Buffer q_before = d.q, k_before = d.k_cache, v_before = d.v_cache;
  const std::vector<std::uint8_t> k8_before = d.k_fp8, v8_before = d.v_fp8;
  try {
    apply_kv_append_host(d.params);
  } catch (const std::invalid_argument& e) {
    if (!planted && !position_fault) fail(c, seed, std::string("a sound step was refused: ") + e.what());
    if (d.q.bytes != q_before.bytes || d.k_cache.bytes != k_before.bytes || d.v_cache.bytes != v_before.bytes ||
        d.k_fp8 != k8_before || d.v_fp8 != v8_before)
      fail(c, seed, "a refused step wrote");
    return 0;
  }
  if (planted || position_fault) fail(c, seed, planted ? "a planted fault was accepted" : "a position out of range was accepted");
  if (c.cos_sin_rows > 0) {  // judged against the exact rotation by the cache's values
    if (const std::string why = cos_sin_cache_problem(d); !why.empty()) fail(c, seed, why);
    if (const std::string why = cache_problem(d); !why.empty()) fail(c, seed, why);
    return 0;
  }
  for (TensorRole role : {TensorRole::query, TensorRole::key}) {
    if (role == TensorRole::query && c.q_heads == 0) continue;  // a k-only step
    if (role == TensorRole::key && c.fp8_scale > 0) continue;   // judged by fp8_cache_problem below
    const ComparisonReport r = judge_rotated(d, role);
    if (r.beyond_element_bound != 0)
      fail(c, seed, std::string(role == TensorRole::query ? "q" : "the cached k") + " beyond its bound: max " +
                        std::to_string(r.max_ulp) + " ulp");
  }
  if (const std::string why = c.fp8_scale > 0 ? fp8_cache_problem(d) : cache_problem(d); !why.empty()) fail(c, seed, why);
  return 0;
}
