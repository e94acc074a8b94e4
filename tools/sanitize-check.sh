#!/usr/bin/env bash
# Builds the reference and tools test suites with ASan + UBSan (the sanitize preset) and runs them: a bad
# read, an overflow or undefined behaviour anywhere they reach fails CI. The fuzz corpora already replay
# under the sanitizers in the main build.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset sanitize >/dev/null
cmake --build build-sanitize -j"$(nproc)" --target mmrope_reference_tests mmrope_tools_tests
# Leak checking is off: MPFR and GMP keep caches that LeakSanitizer reports at exit; every other ASan
# and UBSan check is on and aborts the run.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
# The suites' own seeds are printed; a failure names the test and the sanitizer report.
build-sanitize/tests/mmrope_reference_tests --gtest_brief=1
build-sanitize/tests/mmrope_tools_tests --gtest_brief=1
echo "sanitize-check: the reference and tools tests passed under ASan + UBSan"
