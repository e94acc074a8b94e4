#!/usr/bin/env python3
"""Checks that every #include in the tree goes downwards: no file includes one from a layer it may not see.

The layers and what each may include are docs/architecture.md's table. Run from anywhere:
    tools/check-layers.py [REPO_ROOT]
Prints every offending include (file:line, its layer, the included file and its layer) and exits 1, or
prints a one-line summary and exits 0. An include that resolves to no file of the tree (a system or
library header) is not checked; one that resolves to a file outside every layer is an error.
"""
import re
import sys
from pathlib import Path

# (layer, path prefixes relative to the root). The first match wins, so files come before their folder.
LAYERS = [
    ("vocabulary", ["reference/vocabulary.hpp"]),
    ("core", ["reference/error.hpp", "reference/exact.hpp", "reference/scalar.hpp", "reference/rounding.hpp",
              "reference/params.hpp", "reference/comparison.hpp", "reference/registry.hpp", "reference/positions.hpp",
              "reference/position_range.hpp"]),
    ("layout", ["reference/layout.hpp", "reference/layout_spec.hpp", "reference/design.hpp",
                "reference/batch.hpp", "reference/designs/"]),
    ("frequency", ["reference/frequency/"]),
    ("rotation", ["reference/angles.hpp", "reference/rotation.hpp"]),
    ("analysis", ["reference/analysis/", "reference/emulation/"]),
    ("presets", ["reference/presets/"]),
    ("judge", ["reference/judge/"]),
    ("hf", ["reference/hf/"]),
    ("kernels-core", ["kernels/core/"]),
    ("kernels-host", ["kernels/host/"]),
    ("kernels-cuda", ["kernels/cuda/"]),
    ("properties", ["properties/"]),
    ("tools", ["tools/"]),
    ("python", ["python/"]),
    ("tests", ["tests/", "fuzz/"]),
]

REFERENCE = {"vocabulary", "core", "layout", "frequency", "rotation", "analysis", "presets", "judge", "hf"}
# What each layer may include besides itself and the vocabulary (every layer may). Frequency does not see the designs (nor they it): a preset
# joins the two, one layer up.
MAY_INCLUDE = {
    "vocabulary": set(),
    "core": set(),
    "layout": {"core"},
    "frequency": {"core"},
    "rotation": {"core", "frequency"},
    "analysis": {"core", "frequency", "rotation"},
    "presets": {"core", "layout", "frequency"},
    "judge": {"core", "layout", "frequency", "rotation", "analysis", "presets"},
    "hf": {"core", "layout", "presets"},
    "kernels-core": set(),  # host+device code: C++17, no MPFR; of the reference only its words (vocabulary)
    "kernels-host": {"kernels-core"} | REFERENCE,
    "kernels-cuda": {"kernels-core"},
    "properties": REFERENCE,
    "tools": REFERENCE | {"kernels-core", "kernels-host", "kernels-cuda", "properties"},  # mmrope table: Table 1 from the laws
    "python": REFERENCE | {"tools"},  # the module wraps the command line's library
    "tests": REFERENCE | {"kernels-core", "kernels-host", "kernels-cuda", "properties", "tools"},
}

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^">]+)[">]')
SOURCES = (".hpp", ".cpp", ".cu", ".cuh", ".h")
# Besides the including file's folder and the root, the include paths the build adds (tools/, properties/).
SEARCH = ["", "tools", "properties", "properties/laws"]


def layer_of(rel):
    for name, prefixes in LAYERS:
        if any(rel == p or (p.endswith("/") and rel.startswith(p)) for p in prefixes):
            return name
    return None


def resolve(root, including, target):
    for base in [including.parent] + [root / s for s in SEARCH]:
        candidate = (base / target).resolve()
        if candidate.is_file() and root in candidate.parents:
            return candidate
    return None


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent).resolve()
    files = [p for d in ("reference", "kernels", "properties", "tools", "python", "tests", "fuzz")
             for p in sorted((root / d).rglob("*")) if p.suffix in SOURCES and p.is_file()]
    problems, checked = [], 0
    for path in files:
        rel = path.relative_to(root).as_posix()
        mine = layer_of(rel)
        if mine is None:
            problems.append(f"{rel}: in no layer (add it to tools/check-layers.py and docs/architecture.md)")
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            found = resolve(root, path, m.group(1))
            if found is None:
                continue
            checked += 1
            theirs = layer_of(found.relative_to(root).as_posix())
            if theirs is None:
                problems.append(f"{rel}:{number}: includes {m.group(1)}, which is in no layer")
            elif theirs not in (mine, "vocabulary") and theirs not in MAY_INCLUDE[mine]:  # every layer has the words
                problems.append(f"{rel}:{number}: layer {mine} includes {found.relative_to(root)} (layer {theirs})")
    for p in problems:
        print(p)
    if problems:
        print(f"check-layers: {len(problems)} include(s) against the layering", file=sys.stderr)
        return 1
    print(f"check-layers: {checked} includes in {len(files)} files, all downwards")
    return 0


if __name__ == "__main__":
    sys.exit(main())
