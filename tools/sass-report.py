#!/usr/bin/env python3
"""The SASS report of the CUDA RoPE kernels, on the CPU: registers, spills, local memory and instructions per element.

Compiles kernels/cuda/apply_rotary_cuda.cu for one architecture (sm_90 by default) with the build's flags,
disassembles it with cuobjdump, and prints per kernel instantiation:
  - registers, spill bytes and stack (local memory) bytes, from ptxas;
  - the hot loop: the innermost loop that stores 16-byte vectors; its SASS instructions per output element
    (instructions in the loop over the elements its vector stores write per iteration). Every instruction
    of the loop body counts, so where the body holds branches of both pairings (the general kernel) the
    figure is an upper bound of the path taken;
  - for the fast path, all-in per element at a shape (default Qwen2-VL-7B: 28 q heads, 4 kv heads,
    head_dim 128): per lane and token, the token loop's instructions outside the hot loop plus the hot loop
    times its iterations, over the elements the lane writes. Instructions outside loops (launch set-up) are
    left out; subroutine calls (the rare slow paths) count as one instruction.
cuobjdump comes from the CUDA toolkit or PyPI's nvidia-cuda-cuobjdump (pip install nvidia-cuda-cuobjdump).

Usage: tools/sass-report.py [--arch sm_90] [--q-heads 28 --kv-heads 4 --head-dim 128] [--root TREE] [--nvcc NVCC]
       [--cuobjdump PATH]
Exits 1 when a fast-path instantiation spills, uses local memory, or exceeds --max-per-element (all-in).
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ELEMENT_BYTES = {"0": 4, "1": 2, "2": 2}  # DType enumerators: fp32, fp16, bf16
DTYPE_NAMES = {"0": "fp32", "1": "fp16", "2": "bf16"}
PAIRING_NAMES = {"0": "neox", "1": "gptj"}


def find_tool(name, given):
    if given:
        return given
    found = shutil.which(name) or (os.path.join("/usr/local/cuda/bin", name) if os.path.exists(f"/usr/local/cuda/bin/{name}") else None)
    if found:
        return found
    for site in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}:
        hits = sorted(glob.glob(os.path.join(site, "nvidia", "*", "bin", name)))
        if hits:
            return hits[-1]
    sys.exit(f"sass-report: no {name}: install the CUDA toolkit or `pip install nvidia-cuda-{name}`")


def compile_cubin(nvcc, arch, root, out_dir):
    cubin = os.path.join(out_dir, "rotary.cubin")
    source = os.path.join(root, "kernels", "cuda", "apply_rotary_cuda.cu")
    cmd = [nvcc, "-std=c++17", "-O3", f"-arch={arch}", "--fmad=false", "-Xcompiler=-ffp-contract=off", "-cubin",
           f"-I{root}", "-Xptxas", "-v", source, "-o", cubin]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("sass-report: nvcc failed:\n" + r.stderr)
    return cubin, r.stderr


def ptxas_usage(log):
    """{mangled name: (registers, spill store bytes, spill load bytes, stack bytes)} from ptxas -v."""
    usage, name, frame = {}, None, (0, 0, 0)
    for line in log.splitlines():
        m = re.search(r"Compiling entry function '([^']+)'", line)
        if m:
            name = m.group(1)
        m = re.search(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads", line)
        if m:
            frame = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = re.search(r"Used (\d+) registers", line)
        if m and name:
            usage[name] = (int(m.group(1)), frame[1], frame[2], frame[0])
            name = None
    return usage


def functions(sass):
    """{mangled name: [(address, opcode text)]} from cuobjdump -sass."""
    out, name = {}, None
    for line in sass.splitlines():
        m = re.search(r"Function : (\S+)", line)
        if m:
            name = m.group(1)
            out[name] = []
            continue
        m = re.match(r"\s*/\*([0-9a-f]{4,})\*/\s+(.*?);", line)
        if m and name:
            out[name].append((int(m.group(1), 16), m.group(2).strip()))
    return out


def loops(code):
    """(start, end) address ranges of loops: a branch back to a lower address closes one."""
    found = []
    for address, text in code:
        m = re.search(r"\bBRA\s+(?:`\()?\.?L?_?x?_?(0x[0-9a-f]+)", text)
        if m and int(m.group(1), 16) <= address:
            found.append((int(m.group(1), 16), address))
    return found


def counted(code, lo, hi):
    return [t for a, t in code if lo <= a <= hi and not t.startswith("NOP")]


def vector_elements(instructions, element_bytes):
    return sum(16 // element_bytes for t in instructions if re.search(r"\bSTG\.E\.(128|ENL2\.256)", t))


def describe(name):
    m = re.search(r"(rotary_kernel(?:_fast)?)ILNS_5DTypeE(\d)E(?:LNS_7PairingE(\d)E)?(?:Lb(\d)E)?", name)
    if not m:
        return None
    kernel, dtype, pairing, read_only = m.groups()
    label = f"{'fast' if kernel.endswith('fast') else 'general'} {DTYPE_NAMES[dtype]}"
    if pairing is not None:
        label += f" {PAIRING_NAMES[pairing]}"
    if read_only is not None:
        label += " ldg" if read_only == "1" else " in-place"
    return label, kernel.endswith("fast"), ELEMENT_BYTES[dtype], pairing


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arch", default="sm_90")
    ap.add_argument("--q-heads", type=int, default=28)
    ap.add_argument("--kv-heads", type=int, default=4)
    ap.add_argument("--head-dim", type=int, default=128)
    ap.add_argument("--max-per-element", type=float, default=24.0, help="the all-in target of the fast path")
    ap.add_argument("--root", default=ROOT, help="the source tree (another checkout, to compare revisions)")
    ap.add_argument("--nvcc")
    ap.add_argument("--cuobjdump")
    a = ap.parse_args()
    nvcc, cuobjdump = find_tool("nvcc", a.nvcc), find_tool("cuobjdump", a.cuobjdump)
    with tempfile.TemporaryDirectory() as tmp:
        cubin, log = compile_cubin(nvcc, a.arch, a.root, tmp)
        sass = subprocess.run([cuobjdump, "-sass", cubin], capture_output=True, text=True, check=True).stdout
    usage = ptxas_usage(log)
    heads = a.q_heads + a.kv_heads
    print(f"SASS report: {a.root}/kernels/cuda/apply_rotary_cuda.cu, {a.arch}; all-in at {a.q_heads} q + {a.kv_heads} kv heads, "
          f"head_dim {a.head_dim} (per lane and token, set-up outside the token loop left out)")
    print(f"{'instantiation':<26} {'regs':>4} {'spill':>6} {'stack':>5} {'hot loop':>8} {'elems':>5} {'per elem':>8} {'all-in':>7}")
    failures = []
    for name, code in functions(sass).items():
        d = describe(name)
        if not d:
            continue
        label, fast, element_bytes, pairing = d
        regs, spill_store, spill_load, stack = usage.get(name, (0, 0, 0, 0))
        found = loops(code)
        # The rotation's loop: vector stores and double multiplies (not the pass-through tail's copy loop).
        hot = [(lo, hi) for lo, hi in found if vector_elements(counted(code, lo, hi), element_bytes) > 0
               and any(t.startswith("DMUL") for t in counted(code, lo, hi))]
        hot.sort(key=lambda r: r[1] - r[0])
        line = f"{label:<26} {regs:>4} {spill_store + spill_load:>6} {stack:>5}"
        if not hot:
            print(line + "  (no vector loop)")
            continue
        lo, hi = hot[0]
        body = counted(code, lo, hi)
        elements = vector_elements(body, element_bytes)
        per_element = len(body) / elements
        line += f" {len(body):>8} {elements:>5} {per_element:>8.1f}"
        if fast:
            outer = [r for r in found if r[0] <= lo and r[1] >= hi and r != (lo, hi)]
            token_lo, token_hi = min(outer, key=lambda r: r[1] - r[0]) if outer else (lo, hi)
            # Loops inside the token loop besides the hot one: the cos/sin rounds (they shuffle; ceil(pairs / 32)
            # trips) and the token lookup's binary search over cu_seqlens (counted once: no step for one sequence).
            inner = [r for r in found if token_lo <= r[0] and r[1] <= token_hi and r not in ((lo, hi), (token_lo, token_hi))
                     and not (r[0] <= lo and hi <= r[1])]
            rounds = -(-(a.head_dim // 2) // 32)
            per_token_setup = len(counted(code, token_lo, token_hi)) - len(body)
            for r_lo, r_hi in inner:
                if any(t.startswith("SHFL") for t in counted(code, r_lo, r_hi)):
                    per_token_setup += (rounds - 1) * len(counted(code, r_lo, r_hi))
            # The hot loop's cost per element holds however ptxas unrolled it; the set-up spreads over the
            # elements one lane writes per token.
            lane_elements = heads * a.head_dim / 32
            all_in = per_element + per_token_setup / lane_elements
            line += f" {all_in:>7.1f}"
            if spill_store + spill_load or stack:
                failures.append(f"{label}: {spill_store + spill_load} spill bytes, {stack} stack bytes (local memory)")
            if all_in > a.max_per_element:
                failures.append(f"{label}: {all_in:.1f} SASS per element all-in > {a.max_per_element:g}")
        print(line)
    for f in failures:
        print("sass-report: " + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
