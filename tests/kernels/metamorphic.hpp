// Metamorphic laws between launches of one case: what must not change the bits (in place or not, the layout,
// fused qkv, q and k together or apart) and what must undo itself (backward after forward).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "kernel_case.hpp"

namespace mmrope::kernels::testing {

using Backend = std::function<void(const RotaryKernelParams&)>;

// Runs the case (inputs from `seed`) and its variants on `backend`; returns the first law broken, in one
// line, or an empty string. The variants: in place toggled, every other layout, fused qkv toggled, q and k in
// separate launches (bit for bit over the real tokens), and backward after forward within the bound
// derived in backward_after_forward_bound (when the attention factor is exactly 1).
std::string metamorphic_failure(const KernelCase& c, std::uint64_t seed, const Backend& backend = apply_rotary_host);

// The most |z - x| can be for one element of a pair after forward then backward, each rounded to the dtype:
// with r = ||(x0, x1)|| and u(v) the dtype's ulp at v, each rotation's output element is off by at most
// E(r') = u(r')/2 + 2 (2^-49 sqrt2 r' + 2^-52 r') (kernels/host/error_bound.hpp in absolute terms, for
// |y| <= r'); the backward rotation carries the forward pair's error, of norm <= sqrt2 E(r), unchanged
// (a rotation keeps norms), onto inputs of norm <= r + sqrt2 E(r), and adds its own. So
// |z_i - x_i| <= sqrt2 E(r) + E(r + sqrt2 E(r)), evaluated upward (times 1 + 2^-40 for the double arithmetic).
double backward_after_forward_bound(double x0, double x1, DType dtype);

}  // namespace mmrope::kernels::testing
