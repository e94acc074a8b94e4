"""mmrope: the exact reference of multimodal rotary position embeddings (RoPE), and the judge of RoPE kernels.

    import mmrope
    ids = mmrope.positions("text:3 image:1x4x6 text:2", preset="qwen2-vl")      # [3, tokens] int64
    y = mmrope.rotate(x, ids, preset="qwen2-vl", dtype="bf16")                   # the exact result, rounded once
    report = mmrope.check(y_kernel, x, ids, preset="qwen2-vl", dtype="bf16")     # report.passed, str(report)
    mmrope.testing.assert_rope_close(y_kernel, x, ids, preset="qwen2-vl", dtype="bf16")

Every function is the command line's (`mmrope positions`, `rotate`, `check`, `positions --hf-inputs`) run in
process on arrays in memory: the same options (keyword arguments, `max_ulp` for --max-ulp), the same results
and the same messages (ValueError). NumPy arrays and torch tensors are accepted; torch is imported only when
given a tensor.
"""

from __future__ import annotations

import json
import os
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from . import _mmrope as _core
from ._arrays import Converted, dtype_name, integer_output, is_torch, output_like, tensor_argument, to_numpy
from ._report import CheckReport

__version__: str = _core.__version__
__all__ = ["positions", "get_rope_index", "rotate", "check", "CheckReport", "testing", "__version__"]

# Options the functions set themselves, never from keyword arguments.
_RESERVED = {"input", "output", "positions", "layout", "json", "help", "format", "hf-inputs", "hf-config", "deltas-output"}


def _message(stderr: str) -> str:
    # "mmrope check: error: X.npy: ..." -> the message after the CLI's prefix.
    line = stderr.strip().splitlines()[-1] if stderr.strip() else "mmrope failed without a message"
    return line.split(": error: ", 1)[1] if ": error: " in line else line


def _option_value(flag: str, value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return (":" if flag == "heads" else ",").join(str(v) for v in value)
    return str(value)


def _options(command: str, options: dict[str, Any]) -> list[str]:
    """Keyword arguments as the subcommand's options: foo_bar=v is --foo-bar v, True a flag, None left out;
    a name that is no option of the subcommand is a design parameter (--param name=value)."""
    known = set(_core.option_names(command))
    args: list[str] = []
    for key, value in options.items():
        flag = key.replace("_", "-")
        if flag in _RESERVED:
            raise ValueError(f"{key}= is not an option here: it is an argument of the function (or set by it)")
        if value is None or value is False:
            continue
        if flag not in known:
            args += ["--param", f"{key}={_option_value(flag, value)}"]
        elif value is True:
            args.append("--" + flag)
        else:
            args += ["--" + flag, _option_value(flag, value)]
    return args


def _positions_argument(positions: Any) -> tuple[list[str], Converted | None]:
    """A layout string (or one per batch row) or a positions array ([tokens], [3, tokens], [B, L], [3, B, L])."""
    if isinstance(positions, str):
        return ["--layout", positions], None
    if isinstance(positions, (list, tuple)) and positions and all(isinstance(p, str) for p in positions):
        args: list[str] = []
        for p in positions:
            args += ["--layout", p]
        return args, None
    c = to_numpy(positions, "positions")
    if c.array.dtype.kind not in "iuf":
        raise ValueError(f"positions: dtype {c.array.dtype} holds no numbers; give integers (int32/int64), floats or a layout string")
    if c.array.dtype.kind in "iu" and c.array.dtype not in (np.int32, np.int64):
        c.array = c.array.astype(np.int64)  # exact: every 8- and 16-bit and uint32 value is an int64
    elif c.array.dtype.kind == "f" and c.array.dtype not in (np.float32, np.float64):
        c.array = c.array.astype(np.float64)  # exact: every float16 is a float64
    return ["--positions", "positions"], c


def _job_args(command: str, positions: Any, preset: str | None, dtype: str, input_layout: str,
              options: dict[str, Any]) -> tuple[list[str], Converted | None]:
    args = ["--input", "x", "--dtype", dtype, "--input-layout", input_layout]
    if preset is not None:
        args += ["--preset", preset]
    position_args, array = _positions_argument(positions)
    return args + position_args + _options(command, options), array


def rotate(x: Any, positions: Any, *, preset: str | None = None, dtype: Any = None, backward: bool = False,
           input_layout: str = "bshd", **overrides: Any) -> Any:
    """The exact rotation of x by multimodal RoPE, rounded once to dtype (`mmrope rotate`).

    x: [batch, tokens, heads, head_dim] (or as input_layout says: bshd, bhsd, sbhd, thd), float16/32/64, bf16 bit
    patterns as int16/uint16, or a torch tensor (bf16 as it is). positions: a layout string ("text:3 image:1x4x6"),
    one per batch row, or an array of positions. dtype: bf16, f16 or f32 (default: x's own dtype when it says).
    overrides: any option of `mmrope rotate` (rope_theta=, allocation=, sections=(16, 24, 24), rotary_dim=,
    heads=(28, 4), pairing=, tensor="key", engine=, threads=) or a design parameter of the preset.
    Returns an array of x's shape: float32, float16, or bf16 bit patterns as uint16 (int16 when x is int16); a
    torch tensor of dtype on x's device when x is a tensor.
    """
    xs = tensor_argument(x, "x")
    dt = dtype_name(dtype, xs)
    args, pos = _job_args("rotate", positions, preset, dt, input_layout, dict(overrides, backward=backward))
    out = np.empty(xs.array.shape, dtype={"f32": np.float32, "f16": np.float16, "bf16": np.uint16}[dt])
    _core.rotate(args, xs.array, pos.array if pos else None, out)
    return output_like(out, xs, dt)


def check(y: Any, x: Any, positions: Any, *, preset: str | None = None, dtype: Any = None, convention: str | None = None,
          max_ulp: float | None = None, input_layout: str = "bshd", **overrides: Any) -> CheckReport:
    """Judges y, another implementation's rotation of x, against the exact reference (`mmrope check`).

    The arguments are rotate's, plus y (x's shape; in the dtype, or wider floats holding its values), convention
    (a named lower-precision convention such as fp32-phase; default exact math), max_ulp (the bound, default 1)
    and the other options of `mmrope check` as keywords (metric=, error_model=, worst=, backward=True).
    Returns a CheckReport: passed, max_ulp, diagnosis, worst, to_dict(), and str() the CLI's report.
    """
    ys = tensor_argument(y, "y")
    xs = tensor_argument(x, "x")
    dt = dtype_name(dtype, ys, xs)
    args, pos = _job_args("check", positions, preset, dt, input_layout,
                          dict(overrides, convention=convention, max_ulp=max_ulp))
    status, text, report = _core.check(args + ["--output", "y"], xs.array, ys.array, pos.array if pos else None)
    return CheckReport(status, text, json.loads(report))


def _coordinate(value: Any, exact: bool) -> Any:
    # The CLI's JSON gives integers and decimals as numbers (read as Fractions, exactly) and other rationals as "p/q".
    q = Fraction(value)
    return q if exact else (int(q) if q.denominator == 1 else float(q))


def positions(layout: str | Sequence[str], preset: str | None = None, *, design: str | None = None,
              exact: bool = False, **params: Any) -> np.ndarray:
    """The positions (t, h, w) of every token of a layout under a preset or design (`mmrope positions`).

    layout: "text:3 image:1x4x6 video:2x4x4@2 text:2" (see docs/layout-rules.md), or a list of layouts for a
    padded batch. params: design parameters (merge_size=, temporal_stride=, tokens_per_second=, ...) and the
    options of `mmrope positions` (padding="left", padding_convention="transformers-5", pad_to=).
    Returns [3, tokens] (or [3, batch, padded length]) int64 when every position is an integer, float64 when a
    design gives fractions, and Fractions (dtype object) with exact=True.
    """
    args = ["positions", "--format", "json"]
    if preset is not None:
        args += ["--preset", preset]
    if design is not None:
        args += ["--design", design]
    for one in [layout] if isinstance(layout, str) else list(layout):
        args += ["--layout", one]
    status, out, err = _core.run(args + _options("positions", params))
    if status != 0:
        raise ValueError(_message(err))
    data = json.loads(out, parse_float=Fraction)  # decimals exactly as the CLI printed them
    rows = data["sequences"] if "sequences" in data else [data]
    values = [[[_coordinate(token[axis], exact) for token in row["tokens"]] for row in rows] for axis in "thw"]
    if exact or any(isinstance(v, (float, Fraction)) for axis in values for row in axis for v in row):
        array = np.array(values, dtype=object if exact else np.float64)
    else:
        array = np.array(values, dtype=np.int64)
    return array[:, 0, :] if isinstance(layout, str) else array


def get_rope_index(input_ids: Any, image_grid_thw: Any = None, video_grid_thw: Any = None, second_per_grid_ts: Any = None,
                   attention_mask: Any = None, *, config: str | os.PathLike[str] | dict[str, Any],
                   transformers: str | None = None, mm_token_type_ids: Any = None) -> tuple[Any, Any]:
    """Hugging Face transformers' get_rope_index for Qwen2-VL, Qwen2.5-VL and Qwen3-VL, exactly as a release does it.

    The inputs are the processor's (input_ids [B, L] or [L], attention_mask, image_grid_thw [images, 3],
    video_grid_thw, second_per_grid_ts, mm_token_type_ids); config is the model's config.json (a path or a dict);
    transformers names the release whose rules apply (default: the config's transformers_version, else the
    newest known). Returns (position_ids [3, B, L], rope_deltas [B, 1]), int64, as NumPy arrays, or torch tensors
    on input_ids' device when input_ids is a tensor.
    """
    if isinstance(config, dict):
        config_json, config_name = json.dumps(config), "config"
    else:
        config_name = os.fspath(config)
        try:
            with open(config_name, encoding="utf-8") as f:
                config_json = f.read()
        except OSError as e:
            raise ValueError(f"{config_name}: cannot read the config ({e.strerror})") from None
    given = {"input_ids": input_ids, "attention_mask": attention_mask, "image_grid_thw": image_grid_thw,
             "video_grid_thw": video_grid_thw, "second_per_grid_ts": second_per_grid_ts,
             "mm_token_type_ids": mm_token_type_ids}
    ids = to_numpy(input_ids, "input_ids")
    inputs = {key: ids.array if key == "input_ids" else to_numpy(value, key).array
              for key, value in given.items() if value is not None}
    for key, array in inputs.items():
        if array.dtype.kind == "b":
            inputs[key] = array.astype(np.int64)  # a boolean attention mask
    position_ids, rope_deltas, _rules = _core.get_rope_index(inputs, config_json, config_name, transformers)
    return integer_output(position_ids, ids), integer_output(rope_deltas, ids)


from . import testing  # noqa: E402  (testing uses check, defined above)
