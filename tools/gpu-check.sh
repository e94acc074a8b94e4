#!/usr/bin/env bash
# The GPU check in one command: CUDA tests, compute-sanitizer, the GPU corpus replay and the benchmarks.
#
#   tools/gpu-check.sh --prepare     on a machine with the build's dependencies (tools/setup.sh), no GPU needed:
#                                    builds the CUDA programs for sm_90 into build-gpu/, linked so that they
#                                    need only the CUDA driver and runtime (MPFR, GMP, GoogleTest, libstdc++ static)
#   tools/gpu-check.sh OUT_DIR       on the machine with the GPU: runs them (building them first when build-gpu/
#                                    has none) and writes every log and a summary into OUT_DIR
#   tools/gpu-check.sh --dry-run OUT_DIR   the same without a GPU: every step runs, the GPU ones report a skip
#
# Steps (each logged to OUT_DIR/<step>.txt; the summary gives each one's status and seconds):
#   1. CUDA tests with MMROPE_REQUIRE_GPU=1 (a missing GPU fails them): GPU bits = host backend bits, and the
#      reference's ulps, for every allocation x dtype x layout x direction and the Qwen2-VL shapes on both the
#      fast and the vector path; the decode kernel's matrix, serving shapes and faults the same way.
#   2. compute-sanitizer memcheck and racecheck on the Qwen2-VL shapes, the decode serving shapes and the prefill
#      matrix.
#   3. The GPU replay of the kernel fuzz corpora (fuzz/corpus/kernel_reference, kernel_self): GPU = host, bit for
#      bit; and of the decode corpus (fuzz/corpus/decode): KV-append steps GPU = host twin, refusals refused.
#   4. The bandwidth benchmark: 4K-64K tokens, forward and backward, bf16, against a device-to-device copy of
#      the same bytes in the same run.
#   5. The decode latency benchmark: one step (rope + paged KV write), 32 q / 8 kv heads of 128, bf16, batch 1, 8, 64.
#   6. The prefill bandwidth benchmark: one chunk of 4K-64K tokens (rope + paged KV write through a slot mapping),
#      the phase on the fly and from a cos/sin cache, against a device-to-device copy of the same bytes.
#   7. The position builder benchmark (tokens/s).
# Budget: under 8 minutes on an H200 with the programs prepared (the tests take the most). Exit status 0 when
# every step passed.
set -uo pipefail
cd "$(dirname "$0")/.."
build=build-gpu
targets=(mmrope_kernels_cuda_tests kernel_replay_gpu mmrope_gpu_kernel_benchmark mmrope_gpu_decode_benchmark
         mmrope_gpu_position_benchmark append_replay_gpu mmrope_gpu_prefill_benchmark)
programs=("$build/tests/mmrope_kernels_cuda_tests" "$build/fuzz/kernel_replay_gpu" "$build/tests/mmrope_gpu_kernel_benchmark"
          "$build/tests/mmrope_gpu_decode_benchmark" "$build/tests/mmrope_gpu_position_benchmark" "$build/fuzz/append_replay_gpu"
          "$build/tests/mmrope_gpu_prefill_benchmark")

prepare() {
  local lib=/usr/lib/x86_64-linux-gnu start=$SECONDS
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DMMROPE_BUILD_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 \
    -DMMROPE_BUILD_PYTHON=OFF -DMPFR_LIBRARY="$lib/libmpfr.a" -DGMP_LIBRARY="$lib/libgmp.a" \
    -DCMAKE_EXE_LINKER_FLAGS="-static-libstdc++ -static-libgcc" >/dev/null || return 1
  cmake --build "$build" -j"$(nproc)" --target "${targets[@]}" || return 1
  echo "gpu-check: prepared ${programs[*]} in $((SECONDS - start)) s"
}

if [[ ${1:-} == --prepare ]]; then
  prepare
  exit
fi
dry_run=0
if [[ ${1:-} == --dry-run ]]; then
  dry_run=1
  shift
fi
out=${1:?usage: tools/gpu-check.sh --prepare | [--dry-run] OUT_DIR}
mkdir -p "$out"
summary="$out/summary.txt"
: >"$summary"
failed=0

# step NAME COMMAND...: runs it with its output in OUT_DIR/NAME.txt and one line in the summary.
step() {
  local name=$1 start=$SECONDS status
  shift
  "$@" >"$out/$name.txt" 2>&1
  status=$?
  local verdict=FAIL
  [[ $status == 0 ]] && verdict=pass
  [[ $status == 77 ]] && verdict=skip  # the replay's "no usable GPU" (a failure under MMROPE_REQUIRE_GPU=1)
  printf '%-22s %-6s %4d s  %s\n' "$name" "$verdict" $((SECONDS - start)) "$*" | tee -a "$summary"
  [[ $verdict == FAIL ]] && failed=1
}

{
  echo "gpu-check: $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "no nvidia-smi"
} | tee -a "$summary"

for p in "${programs[@]}"; do
  if [[ ! -x $p ]]; then
    step build prepare
    break
  fi
done

require=1
((dry_run)) && require=0
step cuda_tests env MMROPE_REQUIRE_GPU=$require "${programs[0]}"
if command -v compute-sanitizer >/dev/null && ((!dry_run)); then
  step memcheck compute-sanitizer --tool memcheck --error-exitcode 1 "${programs[0]}" --gtest_filter='CudaRotary.FastAndVectorPathsQwen2VlShapes:CudaDecode.ServingShapesMatchHostBitForBit:CudaPrefill.EveryCombinationMatchesHostBitForBit'
  step racecheck compute-sanitizer --tool racecheck --error-exitcode 1 "${programs[0]}" --gtest_filter='CudaRotary.FastAndVectorPathsQwen2VlShapes:CudaDecode.ServingShapesMatchHostBitForBit:CudaPrefill.EveryCombinationMatchesHostBitForBit'
else
  echo "memcheck/racecheck     skip: $( ((dry_run)) && echo "dry run" || echo "no compute-sanitizer")" | tee -a "$summary"
fi
step gpu_replay env MMROPE_REQUIRE_GPU=$require "${programs[1]}" fuzz/corpus/kernel_reference fuzz/corpus/kernel_self
step gpu_replay_decode env MMROPE_REQUIRE_GPU=$require "${programs[5]}" fuzz/corpus/decode
# measure NAME PROGRAM: a benchmark step; on the GPU machine "no CUDA device" (nothing measured) fails it.
measure() {
  step "$1" "$2"
  if ((!dry_run)) && grep -q "no CUDA device" "$out/$1.txt"; then
    printf '%-22s FAIL: no CUDA device, nothing measured\n' "$1" | tee -a "$summary"
    failed=1
  fi
}
measure bandwidth "${programs[2]}"
measure decode_latency "${programs[3]}"
measure position_builder "${programs[4]}"
measure prefill_bandwidth "${programs[6]}"
echo "gpu-check: $([[ $failed == 0 ]] && echo "every step passed" || echo "a step FAILED"); logs in $out" | tee -a "$summary"
exit $failed
