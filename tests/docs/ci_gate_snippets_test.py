"""docs/ci-gate.md cannot drift: its Python snippets run as written, then section 2's commands judge their files.

Usage: python3 ci_gate_snippets_test.py DOCS/ci-gate.md MMROPE_BINARY. Exits non-zero, saying why, when a
snippet raises, when NumPy is missing, or when a command of section 2 does not exit 0 on the snippets' files.
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile


def blocks(text):
    """(section heading, info string, body) of every fenced block, in order."""
    section, out, lines, i = "", [], text.splitlines(), 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            section = line[3:]
        m = re.match(r"^```(\w*)\s*$", line)
        if m:
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            out.append((section, m.group(1), "\n".join(lines[i + 1 : j])))
            i = j
        i += 1
    return out


def main():
    doc, mmrope = sys.argv[1], os.path.abspath(sys.argv[2])
    try:
        import numpy  # noqa: F401
    except ImportError:
        sys.exit("NumPy is not installed for " + sys.executable + " (tools/setup.sh installs it)")
    found = blocks(open(doc, encoding="utf-8").read())
    # Section 0 is the pytest way: python/tests/test_docs.py runs its block with pytest, against the module.
    python = [b for section, info, b in found if info == "python" and not section.startswith("0.")]
    commands = []
    for section, info, body in found:
        if info == "sh" and section.startswith("2."):
            commands += [l for l in body.replace("\\\n", " ").splitlines() if l.startswith("mmrope check")]
    if not python or len(commands) < 2:
        sys.exit(f"{doc}: expected Python snippets and two `mmrope check` commands in section 2")
    with tempfile.TemporaryDirectory() as work:
        os.chdir(work)
        scope = {"__name__": "__snippet__"}
        for k, code in enumerate(python, 1):
            print(f"running Python snippet {k}")
            exec(compile(code, f"{doc} (python snippet {k})", "exec"), scope)
        for c in commands:
            args = shlex.split(c)
            r = subprocess.run([mmrope] + args[1:], capture_output=True, text=True)
            print(f"$ {c}\n{r.stdout}{r.stderr}")
            if r.returncode != 0:
                sys.exit(f"{doc}: `{c}` exited {r.returncode}")
    print(f"{len(python)} snippet(s) and {len(commands)} command(s) of {doc} ran")


if __name__ == "__main__":
    main()
