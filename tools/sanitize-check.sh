#!/usr/bin/env bash
# Builds the reference and tools test suites and every fuzz corpus replay with ASan + UBSan (the sanitize
# preset: every file of the project instrumented) and runs them: a bad read, an overflow or undefined
# behaviour anywhere they reach fails CI. The main build replays the same corpora without sanitizers.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset sanitize >/dev/null
replays=()
for f in fuzz/*_fuzzer.cpp; do replays+=("$(basename "$f" _fuzzer.cpp)_fuzz_replay"); done
cmake --build build-sanitize -j"$(nproc)" --target mmrope_reference_tests mmrope_tools_tests "${replays[@]}"
# Leak checking is off: MPFR and GMP keep caches that LeakSanitizer reports at exit; every other ASan
# and UBSan check is on and aborts the run.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
# The suites' own seeds are printed; a failure names the test and the sanitizer report.
build-sanitize/tests/mmrope_reference_tests --gtest_brief=1
build-sanitize/tests/mmrope_tools_tests --gtest_brief=1
for replay in "${replays[@]}"; do
  name=${replay%_fuzz_replay}
  build-sanitize/fuzz/"$replay" fuzz/corpus/"$name"
done
echo "sanitize-check: the reference and tools tests and ${#replays[@]} corpus replays passed under ASan + UBSan"
