#!/usr/bin/env bash
# Runs .clusterfuzzlite/build.sh as OSS-Fuzz would (clang, ASan flags in CXXFLAGS, libFuzzer as the engine)
# into a temporary $OUT, then each harness it built on its seed corpus: the script, the harnesses' builds
# from foreign flags and their corpora must all work. MMROPE_FUZZ_HARNESSES picks the harnesses (CI: a few).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export SRC="$root" WORK="$tmp/work" OUT="$tmp/out" CXX="${CFL_CXX:-clang++}"
export CXXFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
export LIB_FUZZING_ENGINE="-fsanitize=fuzzer"
mkdir -p "$WORK" "$OUT"
"$root/.clusterfuzzlite/build.sh"
count=0
for fuzzer in "$OUT"/*_fuzzer; do
  name="$(basename "$fuzzer")"
  [[ -f "$OUT/${name}_seed_corpus.zip" ]] || { echo "fuzz_build_test: $name has no seed corpus" >&2; exit 1; }
  mkdir -p "$tmp/corpus/$name"
  unzip -q "$OUT/${name}_seed_corpus.zip" -d "$tmp/corpus/$name"
  # Every seed once, then 200 mutations: a crash, a sanitizer report or a leak fails the test.
  (cd "$tmp" && "$fuzzer" -runs=200 -detect_leaks=0 "$tmp/corpus/$name" >"$tmp/$name.log" 2>&1) ||
    { tail -40 "$tmp/$name.log" >&2; exit 1; }
  count=$((count + 1))
done
((count > 0)) || { echo "fuzz_build_test: build.sh produced no harness" >&2; exit 1; }
echo "fuzz_build_test: $count harnesses built by .clusterfuzzlite/build.sh ran their seed corpora clean"
