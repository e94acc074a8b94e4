"""The report of mmrope.check: the CLI's JSON fields as attributes, and its human report as the string."""

from __future__ import annotations

import copy
import math
from typing import Any


def _number(value: Any) -> Any:
    # The JSON report writes non-finite figures as the strings "inf" and "nan".
    if value == "inf":
        return math.inf
    if value == "nan":
        return math.nan
    return value


class CheckReport:
    """What `mmrope check` reports for one judged tensor.

    Attributes: ``passed`` (the verdict), ``exit_status`` (0 pass, 1 fail, as the CLI), ``max_ulp`` and
    ``max_pair_ulp`` (the largest errors in element and pair ulps), ``metric`` (the verdict's), ``over_bound``,
    ``diagnosis`` (likely causes of a failure: dicts with class, evidence, confidence), ``worst`` (the worst
    elements: dicts with batch, token, head, channel, axis, t, h, w, got, exact, ulp, pair_ulp, ...).
    ``to_dict()`` gives every field of ``mmrope check --json``; ``str(report)`` is the CLI's human report.
    """

    def __init__(self, exit_status: int, text: str, fields: dict[str, Any]):
        self.exit_status = exit_status
        self._text = text
        self._fields = fields

    @property
    def passed(self) -> bool:
        return bool(self._fields["passed"])

    @property
    def max_ulp(self) -> float:
        return float(_number(self._fields["max_ulp"]))

    @property
    def max_pair_ulp(self) -> float:
        return float(_number(self._fields["max_pair_ulp"]))

    @property
    def metric(self) -> str:
        return str(self._fields["metric"])

    @property
    def over_bound(self) -> int:
        return int(self._fields["over_bound"])

    @property
    def diagnosis(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self._fields["diagnosis"])

    @property
    def worst(self) -> list[dict[str, Any]]:
        return [{k: _number(v) for k, v in e.items()} for e in self._fields["worst"]]

    def to_dict(self) -> dict[str, Any]:
        """Every field of the CLI's JSON report (`mmrope check --json`), as it writes them."""
        return copy.deepcopy(self._fields)

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        return f"<mmrope.CheckReport {verdict}: max {self.max_ulp:.6g} element ulp, {self.max_pair_ulp:.6g} pair ulp>"
