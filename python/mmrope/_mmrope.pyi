"""Type stubs of mmrope's compiled core (use the functions of the mmrope package)."""

from typing import Optional

import numpy as np
import numpy.typing as npt

__version__: str

def run(args: list[str]) -> tuple[int, str, str]: ...
def option_names(subcommand: str) -> list[str]: ...
def check(args: list[str], x: npt.NDArray[np.generic], y: npt.NDArray[np.generic],
          positions: Optional[npt.NDArray[np.generic]]) -> tuple[int, str, str]: ...
def rotate(args: list[str], x: npt.NDArray[np.generic], positions: Optional[npt.NDArray[np.generic]],
           out: npt.NDArray[np.generic]) -> None: ...
def get_rope_index(inputs: dict[str, npt.NDArray[np.generic]], config_json: str, config_name: str,
                   transformers: Optional[str]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], str]: ...
