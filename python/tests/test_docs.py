"""docs/python.md cannot drift: its pytest example runs with pytest as written, and its tests pass."""

import os
import re
import subprocess
import sys

from conftest import SOURCE_DIR


def test_the_pytest_example_of_docs_python_md_passes(tmp_path):
    text = open(os.path.join(SOURCE_DIR, "docs", "python.md"), encoding="utf-8").read()
    section = text.split("## A pytest example", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 1, "docs/python.md: expected one python block under 'A pytest example'"
    path = tmp_path / "test_example.py"
    path.write_text(blocks[0], encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", str(path)],
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "2 passed" in r.stdout, r.stdout
    assert "result: FAIL" in r.stdout  # the second test prints the report of the caught kernel


def test_the_pytest_section_of_docs_ci_gate_md_passes(tmp_path):
    text = open(os.path.join(SOURCE_DIR, "docs", "ci-gate.md"), encoding="utf-8").read()
    section = text.split("## 0. In pytest", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 1, "docs/ci-gate.md: expected one python block in section 0"
    path = tmp_path / "test_gate.py"
    path.write_text(blocks[0], encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)],
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0 and "1 passed" in r.stdout, r.stdout + r.stderr
