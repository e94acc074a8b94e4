"""Arrays in and out: NumPy arrays as they are, torch tensors (imported only when given one) via NumPy."""

from __future__ import annotations

from typing import Any

import numpy as np

# The dtypes the judge reads: floats, and bf16 as its 16-bit patterns (int16 or uint16, as the CLI's .npy files).
_READABLE = {"float16", "float32", "float64", "int16", "uint16"}
_DTYPE_NAMES = {
    "bf16": "bf16", "bfloat16": "bf16",
    "f16": "f16", "fp16": "f16", "float16": "f16", "half": "f16",
    "f32": "f32", "fp32": "f32", "float32": "f32", "float": "f32",
}


def is_torch(value: Any) -> bool:
    """True for a torch.Tensor, without importing torch."""
    return type(value).__module__.startswith("torch") and hasattr(value, "detach")


class Converted:
    """A NumPy view of an argument, and what is needed to give a result back in the argument's kind."""

    def __init__(self, array: np.ndarray, torch_device: Any = None, was_bf16: bool = False, dtype_name: str | None = None):
        self.array = array
        self.torch_device = torch_device  # None: a NumPy argument
        self.was_bf16 = was_bf16
        self.dtype_name = dtype_name  # "bf16", "f16", "f32" where the argument's dtype says it, else None


def to_numpy(value: Any, name: str) -> Converted:
    """A C-contiguous, native-order NumPy array of `value` (a NumPy array, anything np.asarray takes, or a torch tensor)."""
    if is_torch(value):
        import torch  # only here: torch is optional

        t = value.detach()
        device = t.device
        was_bf16 = t.dtype == torch.bfloat16
        if was_bf16:
            t = t.view(torch.int16)
        names = {torch.bfloat16: "bf16", torch.float16: "f16", torch.float32: "f32"}
        array = np.ascontiguousarray(t.cpu().numpy())
        return Converted(array, device, was_bf16, names.get(value.dtype))
    array = np.asarray(value)
    dtype_name = None
    if array.dtype.name == "bfloat16":  # ml_dtypes' bfloat16 (as JAX gives it): its bit patterns
        array = array.view(np.uint16)
        dtype_name = "bf16"
    elif array.dtype == np.float16:
        dtype_name = "f16"
    elif array.dtype == np.float32:
        dtype_name = "f32"
    if not array.dtype.isnative:
        array = array.astype(array.dtype.newbyteorder("="))
    return Converted(np.ascontiguousarray(array), dtype_name=dtype_name)


def tensor_argument(value: Any, name: str) -> Converted:
    """A tensor to rotate or judge: float16, float32, float64, or bf16 bit patterns as int16/uint16."""
    c = to_numpy(value, name)
    if c.array.dtype.name not in _READABLE:
        raise ValueError(f"{name}: dtype {c.array.dtype} is not float16, float32, float64, or bf16 bit patterns as int16/uint16")
    return c


def dtype_name(dtype: Any, *candidates: Converted) -> str:
    """The CLI's --dtype (f32, f16, bf16) for `dtype`, or from the tensors' own dtype when `dtype` is None."""
    if dtype is None:
        for c in candidates:
            if c.dtype_name:
                return c.dtype_name
        raise ValueError("give dtype= (bf16, f16 or f32): the tensors' dtype does not say it (bf16 bit patterns, float64)")
    text = str(dtype)
    for prefix in ("torch.", "numpy."):
        text = text.removeprefix(prefix)
    if text not in _DTYPE_NAMES:
        raise ValueError(f"dtype {dtype!r} is not one of bf16, f16, f32")
    return _DTYPE_NAMES[text]


def output_like(bits: np.ndarray, like: Converted, dtype: str) -> Any:
    """The rotated bits as the caller's kind: NumPy (bf16 as uint16, or int16 when x was), or a torch tensor of dtype."""
    if like.torch_device is None:
        if dtype == "bf16" and like.array.dtype == np.int16:
            return bits.view(np.int16)
        return bits
    import torch

    if dtype == "bf16":
        return torch.from_numpy(bits.view(np.int16)).view(torch.bfloat16).to(like.torch_device)
    return torch.from_numpy(bits).to(like.torch_device)


def integer_output(values: np.ndarray, like: Converted) -> Any:
    """An int64 result as NumPy, or as a torch tensor on the device of `like` when that was a tensor."""
    if like.torch_device is None:
        return values
    import torch

    return torch.from_numpy(values).to(like.torch_device)
