"""Shared fixtures: the mmrope command line (for the Python-equals-CLI tests), the seed of the random tests."""

import os
import subprocess

import numpy as np
import pytest

SOURCE_DIR = os.environ.get("MMROPE_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
HF_DATA = os.path.join(SOURCE_DIR, "tests", "tools", "data", "hf")


def cli_binary():
    path = os.environ.get("MMROPE_CLI")
    if not path or not os.path.exists(path):
        pytest.skip("MMROPE_CLI (the mmrope executable) is not set: ctest sets it")
    return path


def run_cli(*args):
    """`mmrope ARGS...` as a process: (exit status, stdout, stderr)."""
    r = subprocess.run([cli_binary(), *args], capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


@pytest.fixture
def rng(request):
    """A generator seeded from MMROPE_SEED (default: a fresh seed), printed so a failure replays."""
    seed = int(os.environ.get("MMROPE_SEED", np.random.SeedSequence().entropy % (1 << 32)))
    print(f"{request.node.name}: MMROPE_SEED={seed}")
    return np.random.default_rng(seed)
