#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build: every harness in fuzz/ from $CXX, $CXXFLAGS and $LIB_FUZZING_ENGINE into
# $OUT, each with its seed corpus (NAME_fuzzer_seed_corpus.zip), options and dictionary.
# MMROPE_FUZZ_HARNESSES (names without _fuzzer) builds only those; the default is every fuzz/*_fuzzer.cpp.
src="${SRC:-$(cd "$(dirname "$0")/.." && pwd)}"
[[ -f "$src/CMakeLists.txt" ]] || src="$src/mmrope"  # inside the OSS-Fuzz image the checkout is $SRC/mmrope
work="${WORK:-$(mktemp -d)}"

harnesses=()
if [[ -n "${MMROPE_FUZZ_HARNESSES:-}" ]]; then
  read -r -a harnesses <<< "$MMROPE_FUZZ_HARNESSES"
else
  for f in "$src"/fuzz/*_fuzzer.cpp; do harnesses+=("$(basename "$f" _fuzzer.cpp)"); done
fi

cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_CXX_FLAGS="$CXXFLAGS" -DMMROPE_BUILD_FUZZERS=ON -DMMROPE_LIB_FUZZING_ENGINE="$LIB_FUZZING_ENGINE" \
  -DMMROPE_BUILD_CUDA=OFF >/dev/null
cmake --build "$work/build" -j"$(nproc)" --target "${harnesses[@]/%/_fuzzer}"

for name in "${harnesses[@]}"; do
  cp "$work/build/fuzz/${name}_fuzzer" "$OUT/"
  (cd "$src/fuzz/corpus/$name" && zip -q -r "$OUT/${name}_fuzzer_seed_corpus.zip" .)
  for extra in options dict; do
    [[ -f "$src/fuzz/${name}_fuzzer.$extra" ]] && cp "$src/fuzz/${name}_fuzzer.$extra" "$OUT/"
  done
done
echo "build.sh: ${#harnesses[@]} harnesses in $OUT"
