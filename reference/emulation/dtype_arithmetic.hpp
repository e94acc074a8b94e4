// One arithmetic operation rounded to fp32, fp16 or bf16 (round to nearest even), as a device computes it.
#pragma once

#include "../rounding.hpp"

namespace mmrope {

// x rounded once to the dtype, as a double (every fp32/fp16/bf16 value is one).
inline double round_to_dtype(double x, DType type) { return decode_bits(round_to_bits(x, type), type); }

// a op b for a, b already in the dtype, rounded once to the dtype. Why through double: a product of two values
// of at most 24 bits is exact in double (48 <= 53 bits); a sum is rounded to double first, but double has
// 53 >= 2 * 24 + 2 bits, so rounding it again to fp32 (or fp16, bf16) gives the correctly rounded sum
// (Figueroa, "When is double rounding innocuous?", 1995; also for a quotient). Each call is one operation: no fused multiply-add.
inline double dtype_mul(double a, double b, DType type) { return round_to_dtype(a * b, type); }
inline double dtype_add(double a, double b, DType type) { return round_to_dtype(a + b, type); }
inline double dtype_sub(double a, double b, DType type) { return round_to_dtype(a - b, type); }
inline double dtype_div(double a, double b, DType type) { return round_to_dtype(a / b, type); }  // innocuous too

}  // namespace mmrope
