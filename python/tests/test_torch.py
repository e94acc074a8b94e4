"""torch tensors in and out: run where torch is importable, skipped (with the reason) where it is not."""

import os

import numpy as np
import pytest

import mmrope
from conftest import HF_DATA
from test_api import LAYOUT, random_input

torch = pytest.importorskip("torch", reason="torch is not installed: the tensor paths are tested where it is")


def test_bf16_tensors_in_give_bf16_tensors_out_with_the_numpy_bits(rng):
    bits = random_input(rng, (11, 2, 128), "bf16")
    x = torch.from_numpy(bits.view(np.int16)).view(torch.bfloat16)
    y = mmrope.rotate(x, LAYOUT, preset="qwen2-vl")  # dtype from the tensor
    assert isinstance(y, torch.Tensor) and y.dtype == torch.bfloat16 and y.shape == x.shape
    want = mmrope.rotate(bits, LAYOUT, preset="qwen2-vl", dtype="bf16")
    assert np.array_equal(y.view(torch.int16).numpy().view(np.uint16), want)
    report = mmrope.check(y, x, LAYOUT, preset="qwen2-vl")
    assert report.passed
    mmrope.testing.assert_rope_close(y, x, torch.tensor(mmrope.positions(LAYOUT, "qwen2-vl")), preset="qwen2-vl")


def test_a_kernel_in_float32_judged_as_bf16_and_f32(rng):
    x = torch.from_numpy(random_input(rng, (11, 2, 128), "f32"))
    y = mmrope.rotate(x, LAYOUT, preset="qwen2-vl")
    assert y.dtype == torch.float32
    bad = y.clone()
    bad[3, 1, 70] = bad[3, 1, 70] * 1.001
    with pytest.raises(AssertionError, match="result: FAIL"):
        mmrope.testing.assert_rope_close(bad, x, LAYOUT, preset="qwen2-vl")


def test_get_rope_index_gives_tensors_for_tensors():
    with np.load(os.path.join(HF_DATA, "qwen2vl_batch.npz")) as f:
        inputs = {k: torch.from_numpy(f[k]) for k in f.files}
    position_ids, deltas = mmrope.get_rope_index(**inputs, config=os.path.join(HF_DATA, "qwen2vl_config_4x.json"))
    assert isinstance(position_ids, torch.Tensor) and position_ids.dtype == torch.int64
    assert tuple(position_ids.shape) == (3, 2, 11) and deltas.tolist() == [[-3], [-6]]
