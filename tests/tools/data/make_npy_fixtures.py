# Writes the .npy fixtures of npy_test.cpp with numpy itself (run once; the tests read the committed files).
import pathlib

import numpy as np
from numpy.lib import format as npformat

here = pathlib.Path(__file__).parent


def save(name, array, version=None):
    with open(here / name, "wb") as f:
        if version is None:
            np.save(f, array)
        else:
            npformat.write_array(f, array, version=version)


# Exact halves: a normal, a negative, the largest finite, the smallest subnormal, infinity, negative zero.
save("f16_c_2x3.npy", np.array([[0.5, -1.5, 65504.0], [2.0**-24, np.inf, -0.0]], dtype="<f2"))
# Element [i,j,k] holds 100i + 10j + k, stored big-endian in Fortran order.
grid = np.fromfunction(lambda i, j, k: 100 * i + 10 * j + k, (2, 3, 4))
save("f32_be_fortran_2x3x4.npy", np.asfortranarray(grid.astype(">f4")))
save("f64_v2.npy", np.arange(5, dtype="<f8") * 0.25, version=(2, 0))
save("i64_v3_2x2.npy", np.array([[-1, 2**40], [3, -(2**62)]], dtype="<i8"), version=(3, 0))
save("u16_bf16_3.npy", np.array([0x3F80, 0xC000, 0x7F80], dtype="<u2"))  # bf16 1.0, -2.0, +inf
save("i32_scalar.npy", np.array(7, dtype="<i4"))
save("i16_be_fortran_3x2.npy", np.asfortranarray(np.array([[1, -2], [3, -4], [5, -32768]], dtype=">i2")))
save("f32_c_2x3.npy", np.arange(6, dtype="<f4").reshape(2, 3) - 2.5)  # the writer must match these bytes
