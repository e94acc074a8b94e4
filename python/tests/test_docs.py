"""The documentation cannot drift: its pytest examples run with pytest as written, and their tests pass."""

import os
import re
import subprocess
import sys

from conftest import SOURCE_DIR


def run_pytest_block(tmp_path, doc, heading, flags=()):
    """Runs the one python block under `heading` of docs/`doc` as a pytest file: its stdout, after it passed."""
    text = open(os.path.join(SOURCE_DIR, "docs", doc), encoding="utf-8").read()
    section = text.split("## " + heading, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 1, f"docs/{doc}: expected one python block under '{heading}'"
    path = tmp_path / "test_doc_example.py"
    path.write_text(blocks[0], encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *flags, str(path)],
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def test_the_pytest_example_of_docs_python_md_passes(tmp_path):
    out = run_pytest_block(tmp_path, "python.md", "A pytest example", ["-s"])
    assert "2 passed" in out, out
    assert "result: FAIL" in out  # the second test prints the report of the kernel it caught


def test_the_pytest_section_of_docs_ci_gate_md_passes(tmp_path):
    assert "1 passed" in run_pytest_block(tmp_path, "ci-gate.md", "0. In pytest")
