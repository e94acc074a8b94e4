"""The Python API against hand-derived values and against the mmrope command line on the same inputs."""

import json
import os
import re
import threading
import time

import numpy as np
import pytest

import mmrope
from conftest import HF_DATA, SOURCE_DIR, run_cli

# "text:3 image:1x4x6 text:2" under Qwen2-VL (merge 2: the image is 1 x 2 x 3 LLM tokens at t = h = w = 3 + offset;
# the text after it starts at max + 1 = 6), derived by hand.
LAYOUT = "text:3 image:1x4x6 text:2"
T = [0, 1, 2, 3, 3, 3, 3, 3, 3, 6, 7]
H = [0, 1, 2, 3, 3, 3, 4, 4, 4, 6, 7]
W = [0, 1, 2, 3, 4, 5, 3, 4, 5, 6, 7]


def bf16_bits(values):
    """float32 values rounded to nearest even bf16, as 16-bit patterns."""
    u = np.asarray(values, np.float32).view(np.uint32).astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def random_input(rng, shape, dtype):
    x = (rng.standard_normal(shape) * rng.choice([1e-3, 1.0, 300.0])).astype(np.float32)
    return {"bf16": bf16_bits(x), "f16": x.astype(np.float16), "f32": x}[dtype]


def test_positions_are_the_hand_derived_qwen2_vl_ones():
    p = mmrope.positions(LAYOUT, "qwen2-vl")
    assert p.dtype == np.int64
    assert p.tolist() == [T, H, W]


def test_positions_of_a_batch_are_padded_as_the_options_say():
    p = mmrope.positions([LAYOUT, "text:4"], "qwen2-vl", padding="left")
    assert p.shape == (3, 2, 11)
    assert p[:, 0, :].tolist() == [T, H, W]
    # transformers 4.x pads with position 1; left padding puts the 4 real tokens last, at 0..3.
    assert p[:, 1, :].tolist() == [[1] * 7 + [0, 1, 2, 3]] * 3


def test_positions_take_design_parameters():
    # merge_size 1: the 1x4x6 image is 24 tokens, w running 3..8 and h 3..6; the text after starts at 9.
    p = mmrope.positions("text:3 image:1x4x6 text:1", "qwen2-vl", merge_size=1)
    assert p.shape == (3, 28)
    assert p[2, 3:9].tolist() == [3, 4, 5, 6, 7, 8] and p[1, 3:27:6].tolist() == [3, 4, 5, 6] and p[:, 27].tolist() == [9] * 3


def test_positions_equal_the_cli_on_every_preset():
    status, out, _ = run_cli("presets")
    assert status == 0
    listed = out.split("presets:\n", 1)[1].split("\ndesigns:", 1)[0]
    presets = [line.split()[0] for line in listed.splitlines() if re.match(r"^  \S", line)]
    assert len(presets) >= 5, out
    for preset in presets:
        status, csv, err = run_cli("positions", "--preset", preset, "--layout", "text:2 video:4x4x4@2 text:1")
        if status != 0:  # a preset without video support says so the same way in both
            with pytest.raises(ValueError) as e:
                mmrope.positions("text:2 video:4x4x4@2 text:1", preset)
            assert str(e.value) in err
            continue
        rows = [line.split(",") for line in csv.strip().splitlines()[1:]]
        got = mmrope.positions("text:2 video:4x4x4@2 text:1", preset, exact=True)
        from fractions import Fraction

        for axis, column in zip(range(3), (2, 3, 4)):
            assert [str(v) for v in got[axis]] == [str(Fraction(r[column])) for r in rows], preset


@pytest.mark.parametrize("dtype", ["bf16", "f16", "f32"])
@pytest.mark.parametrize("input_layout", ["bshd", "bhsd"])
def test_rotate_equals_the_cli_bit_for_bit(tmp_path, rng, dtype, input_layout):
    shape = (2, 11, 3, 128) if input_layout == "bshd" else (2, 3, 11, 128)
    x = random_input(rng, shape, dtype)
    positions = np.stack([np.array([T, H, W])] * 2, axis=1)  # [3, batch, tokens]
    y = mmrope.rotate(x, positions, preset="qwen2-vl", dtype=dtype, input_layout=input_layout)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "p.npy", positions)
    status, _, err = run_cli("rotate", "--preset", "qwen2-vl", "--dtype", dtype, "--input-layout", input_layout,
                             "--input", str(tmp_path / "x.npy"), "--positions", str(tmp_path / "p.npy"),
                             "--output", str(tmp_path / "y.npy"))
    assert status == 0, err
    want = np.load(tmp_path / "y.npy")
    assert y.dtype == want.dtype and y.shape == want.shape
    assert np.array_equal(y.view(np.uint8), want.view(np.uint8))


def test_rotate_backward_undoes_forward_within_the_derived_bound(rng):
    x = rng.standard_normal((11, 2, 128))
    y = mmrope.rotate(x, LAYOUT, preset="qwen2-vl", dtype="f32")
    back = mmrope.rotate(y.astype(np.float64), LAYOUT, preset="qwen2-vl", dtype="f32", backward=True)
    # y = R x + e, |e_i| <= ulp(r)/2 per element (|y_i| <= r, the pair's norm); R^T y = x + R^T e with
    # |R^T e| <= sqrt(2) ulp(r)/2 per pair; rounding that once more adds at most ulp(r) (ulp(r)/2, doubled if it
    # crosses a binade): |back - x| <= (sqrt(2)/2 + 1) ulp(r).
    r = np.hypot(x[..., :64], x[..., 64:]).astype(np.float32)
    ulp_r = np.spacing(np.concatenate([r, r], axis=-1)).astype(np.float64)
    assert np.all(np.abs(back - x) <= (np.sqrt(2) / 2 + 1) * ulp_r)


def perturbed(y, rng, count):
    bad = y.copy()
    flat = bad.reshape(-1)
    picks = rng.choice(flat.size, size=count, replace=False)
    if bad.dtype == np.uint16:
        flat[picks] ^= np.uint16(0x0004)  # 4 ulps off in bf16 (a mantissa bit)
    else:
        # 1% of the largest output: thousands of ulps at any pair's norm, so over the bound in either metric
        flat[picks] += np.float32(0.01) * np.abs(flat).max()
    return bad


@pytest.mark.parametrize("dtype", ["bf16", "f32"])
def test_check_reports_exactly_what_the_cli_reports(tmp_path, rng, dtype):
    x = random_input(rng, (11, 4, 128), dtype)
    y = perturbed(mmrope.rotate(x, LAYOUT, preset="qwen2-vl", dtype=dtype), rng, 5)
    report = mmrope.check(y, x, LAYOUT, preset="qwen2-vl", dtype=dtype, worst=4)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", y)
    args = ["check", "--preset", "qwen2-vl", "--layout", LAYOUT, "--dtype", dtype, "--worst", "4",
            "--input", str(tmp_path / "x.npy"), "--output", str(tmp_path / "y.npy")]
    status, text, _ = run_cli(*args)
    status_json, out_json, _ = run_cli(*args, "--json")
    assert report.exit_status == status == status_json == (0 if report.passed else 1)
    assert report.to_dict() == json.loads(out_json)
    # The human report names the input by its shape, never its file, so it is the same text.
    assert str(report) == text
    assert not report.passed and report.over_bound > 0 and report.max_ulp >= 2
    assert len(report.worst) == 4 and all(w["ulp"] >= 2 for w in report.worst)


def test_exact_output_passes_with_no_error(rng):
    x = random_input(rng, (11, 2, 128), "bf16")
    y = mmrope.rotate(x, LAYOUT, preset="qwen2-vl", dtype="bf16")
    report = mmrope.check(y, x, LAYOUT, preset="qwen2-vl", dtype="bf16")
    assert report.passed and report.exit_status == 0
    assert report.max_ulp <= 0.5 and report.diagnosis == []
    assert "result: PASS" in str(report)
    mmrope.testing.assert_rope_close(y, x, LAYOUT, preset="qwen2-vl", dtype="bf16")


def test_a_wrong_pairing_fails_and_assert_rope_close_shows_the_report(rng):
    x = random_input(rng, (11, 2, 128), "bf16")
    y = mmrope.rotate(x, LAYOUT, preset="qwen2-vl", dtype="bf16", pairing="gptj")  # the kernel's bug
    report = mmrope.check(y, x, LAYOUT, preset="qwen2-vl", dtype="bf16")
    assert not report.passed and report.exit_status == 1
    assert any("pairing" in d["class"] for d in report.diagnosis), report.diagnosis
    with pytest.raises(AssertionError) as e:
        mmrope.testing.assert_rope_close(y, x, LAYOUT, preset="qwen2-vl", dtype="bf16")
    message = str(e.value)
    assert "result: FAIL" in message and "diagnosis:" in message and "worst elements" in message


def test_convention_and_max_ulp_reach_the_judge(rng):
    x = random_input(rng, (11, 2, 128), "f32")
    y = perturbed(mmrope.rotate(x, LAYOUT, preset="qwen2-vl", dtype="f32"), rng, 3)
    # The verdict follows max_ulp: just above the largest error (pair ulps, fp32's metric) passes, just below fails.
    largest = mmrope.check(y, x, LAYOUT, preset="qwen2-vl", dtype="f32").max_pair_ulp
    assert largest > 1
    above = mmrope.check(y, x, LAYOUT, preset="qwen2-vl", dtype="f32", max_ulp=largest * 1.01)
    below = mmrope.check(y, x, LAYOUT, preset="qwen2-vl", dtype="f32", max_ulp=largest * 0.99)
    assert above.passed and not below.passed
    assert above.to_dict()["max_ulp_bound"] == pytest.approx(largest * 1.01, rel=1e-5)  # printed to 6 digits
    conv = mmrope.check(y, x, LAYOUT, preset="qwen2-vl", dtype="f32", convention="fp32-phase")
    assert conv.to_dict()["convention"] == "fp32-phase" and "error_model" in conv.to_dict()


def cli_message(*args):
    status, _, err = run_cli(*args)
    assert status == 2
    return err.strip().split(": error: ", 1)[1]


def test_errors_are_value_errors_with_the_cli_messages(tmp_path, rng):
    x = random_input(rng, (11, 2, 128), "f32")
    np.save(tmp_path / "x.npy", x)
    with pytest.raises(ValueError) as e:
        mmrope.rotate(x, LAYOUT, preset="no-such-preset", dtype="f32")
    assert str(e.value) == cli_message("rotate", "--preset", "no-such-preset", "--layout", LAYOUT, "--dtype", "f32",
                                       "--input", str(tmp_path / "x.npy"), "--output", str(tmp_path / "y.npy"))
    with pytest.raises(ValueError, match=r"^x: shape \(11, 128\) is not \[tokens, heads, head_dim\]"):
        mmrope.rotate(x[:, 0, :], LAYOUT, preset="qwen2-vl", dtype="f32")
    with pytest.raises(ValueError, match=r"^y: shape \(11, 2, 64\) differs from the input's \(11, 2, 128\)"):
        mmrope.check(x[..., :64], x, LAYOUT, preset="qwen2-vl", dtype="f32")
    with pytest.raises(ValueError, match="max-ulp"):
        mmrope.check(x, x, LAYOUT, preset="qwen2-vl", dtype="f32", max_ulp=-1)
    with pytest.raises(ValueError, match="dtype 'f64' is not one of"):
        mmrope.rotate(x, LAYOUT, preset="qwen2-vl", dtype="f64")
    with pytest.raises(ValueError, match="give dtype="):
        mmrope.rotate(x.astype(np.float64), LAYOUT, preset="qwen2-vl")
    with pytest.raises(ValueError, match="^x: dtype int32"):
        mmrope.rotate(x.astype(np.int32), LAYOUT, preset="qwen2-vl", dtype="f32")
    with pytest.raises(ValueError, match="positions"):
        mmrope.rotate(x, np.zeros((3, 5), np.int64), preset="qwen2-vl", dtype="f32")
    with pytest.raises(ValueError, match="is not an option here"):
        mmrope.rotate(x, LAYOUT, preset="qwen2-vl", dtype="f32", output="y.npy")
    with pytest.raises(ValueError):
        mmrope.positions("text:3 image:", "qwen2-vl")


def test_bf16_as_int16_keeps_int16(rng):
    x = random_input(rng, (11, 2, 128), "bf16").view(np.int16)
    y = mmrope.rotate(x, LAYOUT, preset="qwen2-vl", dtype="bf16")
    assert y.dtype == np.int16
    assert np.array_equal(y.view(np.uint16), mmrope.rotate(x.view(np.uint16), LAYOUT, preset="qwen2-vl", dtype="bf16"))


def test_non_contiguous_and_big_endian_inputs_are_read_as_their_values(rng):
    x = random_input(rng, (11, 4, 128), "f32")
    want = mmrope.rotate(x[:, ::2, :].copy(), LAYOUT, preset="qwen2-vl", dtype="f32")
    assert np.array_equal(mmrope.rotate(x[:, ::2, :], LAYOUT, preset="qwen2-vl", dtype="f32"), want)
    swapped = x[:, ::2, :].astype(">f4")
    assert np.array_equal(mmrope.rotate(swapped, LAYOUT, preset="qwen2-vl", dtype="f32"), want)


# Qwen2-VL's batch fixture, derived by hand (the C++ tests derive the same numbers): [3, 2, 11] and deltas.
HF_WANT_T = [[0, 1, 2, 3, 3, 3, 3, 3, 3, 6, 7], [1, 1, 1, 1, 1, 1, 0, 1, 2, 3, 4]]
HF_WANT_H = [[0, 1, 2, 3, 3, 3, 4, 4, 4, 6, 7], [1, 1, 1, 1, 1, 1, 0, 1, 2, 3, 4]]
HF_WANT_W = [[0, 1, 2, 3, 4, 5, 3, 4, 5, 6, 7], [1, 1, 1, 1, 1, 1, 0, 1, 2, 3, 4]]


GET_ROPE_INDEX_KEYS = {"input_ids", "image_grid_thw", "video_grid_thw", "second_per_grid_ts", "attention_mask",
                       "mm_token_type_ids"}


def load_inputs(name):
    """A fixture's get_rope_index inputs (the processor's other outputs, pixel_values, left out)."""
    with np.load(os.path.join(HF_DATA, name)) as f:
        return {k: f[k] for k in f.files if k in GET_ROPE_INDEX_KEYS}


def test_get_rope_index_returns_what_transformers_returns():
    inputs = load_inputs("qwen2vl_batch.npz")
    config = os.path.join(HF_DATA, "qwen2vl_config_4x.json")
    position_ids, deltas = mmrope.get_rope_index(**inputs, config=config)
    assert position_ids.dtype == np.int64 and position_ids.shape == (3, 2, 11)
    assert position_ids.tolist() == [HF_WANT_T, HF_WANT_H, HF_WANT_W]
    assert deltas.tolist() == [[-3], [-6]]
    with open(config, encoding="utf-8") as f:
        as_dict = json.load(f)
    again, deltas_again = mmrope.get_rope_index(**inputs, config=as_dict)
    assert np.array_equal(again, position_ids) and np.array_equal(deltas_again, deltas)


@pytest.mark.parametrize("inputs,config,version", [
    ("qwen2vl_batch.npz", "qwen2vl_config_5x.json", None),
    ("qwen25vl_video.npz", "qwen25vl_config_4x.json", None),
    ("qwen3vl_batch.npz", "qwen3vl_config_4x.json", None),
    ("qwen3vl_batch.npz", "qwen3vl_config_5x.json", "5.0.0"),
])
def test_get_rope_index_equals_the_cli(tmp_path, inputs, config, version):
    extra = ["--transformers", version] if version else []
    status, _, err = run_cli("positions", "--hf-inputs", os.path.join(HF_DATA, inputs), "--hf-config",
                             os.path.join(HF_DATA, config), "--output", str(tmp_path / "p.npy"),
                             "--deltas-output", str(tmp_path / "d.npy"), *extra)
    assert status == 0, err
    position_ids, deltas = mmrope.get_rope_index(**load_inputs(inputs), config=os.path.join(HF_DATA, config),
                                                 transformers=version)
    assert np.array_equal(position_ids, np.load(tmp_path / "p.npy"))
    assert np.array_equal(deltas, np.load(tmp_path / "d.npy"))


def test_get_rope_index_errors_name_the_input():
    inputs = load_inputs("qwen2vl_batch.npz")
    config = os.path.join(HF_DATA, "qwen2vl_config_4x.json")
    with pytest.raises(ValueError, match=r"get_rope_index\[input_ids\]: dtype float32"):
        mmrope.get_rope_index(inputs["input_ids"].astype(np.float32), config=config)
    with pytest.raises(ValueError, match="attention_mask"):
        mmrope.get_rope_index(inputs["input_ids"], inputs.get("image_grid_thw"), attention_mask=np.ones((2, 3), np.int64),
                              config=config)
    with pytest.raises(ValueError, match="no-such-config.json: cannot read"):
        mmrope.get_rope_index(inputs["input_ids"], config="no-such-config.json")


def test_the_gil_is_released_while_judging(rng):
    x = random_input(rng, (2048, 8, 128), "f32")
    y = mmrope.rotate(x, "text:2048", preset="qwen2-vl", dtype="f32", threads=1)
    ticks = []
    done = threading.Event()

    def count():
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    started = time.perf_counter()
    thread = threading.Thread(target=count)
    thread.start()
    try:
        report = mmrope.check(y, x, "text:2048", preset="qwen2-vl", dtype="f32", threads=1, engine="mpfr")
    finally:
        done.set()
        thread.join()
    elapsed = time.perf_counter() - started
    assert report.passed
    # While the GIL is held by a call, no other Python thread runs: ticks through the call show it was released.
    during = [t for t in ticks if started + 0.1 * elapsed < t < started + 0.9 * elapsed]
    assert elapsed > 0.05 and len(during) >= 3, (elapsed, len(ticks))


def test_version_is_the_cmake_projects():
    text = open(os.path.join(SOURCE_DIR, "CMakeLists.txt"), encoding="utf-8").read()
    assert mmrope.__version__ == re.search(r"project\(mmrope VERSION ([0-9.]+)", text).group(1)
