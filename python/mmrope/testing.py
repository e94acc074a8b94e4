"""pytest helpers: assert_rope_close, in the style of torch.testing.assert_close."""

from __future__ import annotations

from typing import Any

from . import check


def assert_rope_close(y: Any, x: Any, positions: Any, **options: Any) -> None:
    """Asserts that y is x rotated by multimodal RoPE within the bound (mmrope.check's arguments).

    Raises AssertionError whose message is the check's human report: the diagnosis, the error figures, where
    the error sits and the worst elements. Unusable arguments raise ValueError, as mmrope.check does.
    """
    __tracebackhide__ = True  # pytest shows the caller's line
    report = check(y, x, positions, **options)
    if not report.passed:
        raise AssertionError("RoPE output is not close to the exact reference:\n" + str(report))
