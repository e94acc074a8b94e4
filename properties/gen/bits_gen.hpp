// RapidCheck generators of q/k values as dtype bit patterns: signed zeros, subnormals, large finite values, random bits.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <vector>

#include "reference/rounding.hpp"

namespace mmrope::gen {

// A finite value of `type`, decoded exactly to double (every fp32/fp16/bf16 value is a double).
// Weighted towards the edges a kernel gets wrong; shrinks towards +0 (bit pattern 0).
inline rc::Gen<double> dtype_value(DType type) {
  const FloatFormat f = format_of(type);
  const std::uint32_t sign = f.sign_bit(), top_subnormal = (std::uint32_t{1} << f.mantissa_bits) - 1;
  const std::uint32_t max_finite = f.infinity_bits() - 1, one = static_cast<std::uint32_t>(f.bias()) << f.mantissa_bits;
  const std::vector<std::uint32_t> edges = {0,    sign,          1,         sign | 1, top_subnormal, max_finite,
                                            sign | max_finite, one,     sign | one};
  auto finite = [f](std::uint32_t bits) {
    bits &= (f.sign_bit() << 1) - 1;
    if ((bits & f.infinity_bits()) == f.infinity_bits()) bits &= ~(std::uint32_t{1} << f.mantissa_bits);  // not inf/NaN
    return bits;
  };
  auto bits = rc::gen::weightedOneOf<std::uint32_t>(
      {{1, rc::gen::elementOf(edges)},
       {4, rc::gen::map(rc::gen::arbitrary<std::uint32_t>(), finite)},
       {3, rc::gen::map(rc::gen::inRange(-64, 65), [type](int v) { return round_to_bits(double(v) / 8, type); })}});
  return rc::gen::map(bits, [type](std::uint32_t b) { return decode_bits(b, type); });
}

// `count` values of one dtype.
inline rc::Gen<std::vector<double>> dtype_values(DType type, std::size_t count) {
  return rc::gen::container<std::vector<double>>(count, dtype_value(type));
}

inline rc::Gen<DType> dtype() { return rc::gen::element(DType::fp32, DType::bf16, DType::fp16); }

}  // namespace mmrope::gen
