// CircleRoPE: image tokens on a circle of radius R in the plane through (S, S, S) orthogonal to the text diagonal.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "../design.hpp"

namespace mmrope {

// Sources (read with the code index; line numbers counted in the stored text):
//   [C]  lose4578/CircleRoPE code/circle_rope.py at 063fb2c4 (`get_circle_rope_index` l.6-64,
//        `move_to_origin_coords` l.67-85, `move_to_positive_axis` l.88-97, `circle_projection` l.100-125,
//        `rotate_plane_perpendicular_to_vector` l.128-159, `map_to_circle` l.162-214)
//   [CC] lose4578/CircleRoPE code/config.json at 899b24a4, "circle_rope" block (l.11-17)
//   [M]  lose4578/CircleRoPE modular_qwen2_5_vl_circle_rope.py at 933328ce (stored at the repository
//        root; `_get_circle_index` l.65-73, `get_rope_index` l.86-187)
//   [R]  JJJYmmm/Multimodal-RoPEs multimodal_ropes/pos_design/circlerope.py at 1c8ae646
//        (`get_circlerope_index` l.8-180, `_circle_projection` l.184-), configs/circlerope.py at 64f8a141
//
// Rule, for one visual item with T x H' x W' LLM tokens at S = cursor (one past <|vision_start|>):
//   raw grid of the first frame, token k = hh*W' + ww:      x_k = ww,  y_k = hh,  z_f = f * temporal_stride
//   move_to_origin:  x -= (W'-1)/2,  y -= (H'-1)/2,  z -= (T-1)*temporal_stride/2       [C] l.18-20, 79-83
//   R = radius                          (radius_mode=fixed)                               [C] l.30-31
//   R = radius_scale * |max over all tokens and axes of (x, y, z)|  (radius_mode=auto)   [C] l.23-29
//   a_k = atan2(y_k, x_k);  theta_SA_k = (a_k - min a) / (max a - min a) * 2pi,
//                           or a_k itself when max a = min a                            [C] l.180-191
//   theta_GA_k = 2pi * k / (H' W')                                                        [C] l.193-197
//   theta_k = alpha * theta_SA_k + (1 - alpha) * theta_GA_k                               [C] l.205
//   (x'_k, y'_k) = (R cos theta_k, R sin theta_k)          (method=circle; no_circle keeps (x_k, y_k))
//   rotate(a, b) = a*u + b*v with, in (w, h, t) order, u = (-1, 1, 0)/sqrt2 and
//     v = (1,1,1)/sqrt3 x u = (-1, -1, 2)/sqrt6:                                          [C] l.128-159
//       w = -a/sqrt2 - b/sqrt6,   h = a/sqrt2 - b/sqrt6,   t = 2b/sqrt6      (z is dropped)
//   c_k = rotate(x'_k, y'_k)
//   dff_rate != 0:  c_k = (1 - dff_rate) * c_k + dff_rate * rotate(x_k, y_k)              [C] l.40-46
//     "rotate(raw grid)" is the same rotation applied to the (optionally centred) w, h indices
//     themselves: no circle, no radius, no angle normalisation.
//   move_to_positive: m = min over k and all three axes of c_k;  c_k += |m| + positive_offset
//                     on every axis                                                       [C] l.49-54, 88-97
//   token (f, hh, ww) -> (t, h, w) = (S + f*temporal_stride + c_t,  S + f*temporal_stride + c_h,
//                                     S + f*temporal_stride + c_w)                        [M] l.177, [R] l.126-134
//   next text = max over the block of all three axes + 1                                  [M] l.181, [R] l.138-139
// Text tokens are (p, p, p). Every c_k lies in the plane c_t + c_h + c_w = 0 (u and v are orthogonal
// to (1,1,1), and the blend and the shift keep that), at distance |R| from the origin when there is
// no dff blend: frame f sits on the plane t + h + w = 3(S + f*temporal_stride + shift), at equal
// distance from every text position (the "cone"). Positions are irrational: they are computed here in
// Real (MPFR, 80 digits); the released code computes them in float32 ([M] l.104-110, l.185).
//
// Videos. Two readings exist:
//   * Official [C]/[M]: image-only. `map_to_circle` reads only the first temporal slice ([C] l.175-177)
//     and returns one ring of H'W' positions, so a T > 1 item gets fewer positions than tokens (the
//     assignment in [M] l.186 fails), except with dff_rate set, where broadcasting puts every frame on
//     the same ring (2510.23095 sec. 2.2.2: "collapses all video frames onto a single ring").
//   * Multimodal-RoPEs [R] l.102-132 (implemented here): the ring of the first frame is repeated for each
//     frame f and shifted by f*temporal_stride on all three axes (stacked rings along the text diagonal).
//     The radius ('auto') and the centring see z = f*temporal_stride as [R] passes t_index to the
//     projection. temporal_stride = 0 gives the official "single ring" reading for a fixed radius.
//   [R] also splits every video into T = 1 blocks with timestamp text between (Qwen3-VL style, l.18-24);
//   here that is a layout choice: give one video segment per frame.
// Video seconds_per_grid is not used (the official t index only feeds the dropped z and 'auto').
//
// Readings chosen where sources differ:
//   * Blend direction: [C] at 063fb2c4 (and [R]) blend (1 - r) * circle + r * grid; the other stored
//     version of [C], 899b24a4, has r * circle + (1 - r) * grid. The first is followed.
//   * 'auto' radius: the code takes the largest coordinate ([C] l.29), not the largest L2 norm of the
//     paper's eq. (9); the code is followed.
//   * theta_SA maps the largest angle to 2pi, the same direction as the smallest: with alpha = 1 those
//     tokens coincide (a 1 x 3 row puts all three on one point). Kept as the code does it.
class CircleRopeDesign : public PositionDesign {
 public:
  static std::vector<ParamSpec> param_specs() {
    using B = ParamSpec::Bound;
    return {merge_size_param(),
            // [CC] "alpha": 0.5 (paper Table 3 best); the code's fallback when absent is -1 ([C] l.14).
            {"alpha", ParamKind::rational, "0.5",
             "weight of the normalised atan2 angle; 1 - alpha goes to the grid-index angle", {}, B::any},
            // [CC] "radius": 10; the code's fallback when absent is -1 ([C] l.13), used literally.
            {"radius", ParamKind::rational, "10", "R when radius_mode=fixed (any sign, as the code takes it)", {},
             B::any},
            // [CC] gives a number, so fixed; the code also takes the strings 'auto' and 'auto-k' ([C] l.23-29).
            {"radius_mode", ParamKind::choice, "fixed",
             "fixed: R = radius; auto: R = radius_scale * max coordinate of the (centred) grid (code 'auto-k')",
             {"fixed", "auto"}},
            // 'auto' means scale 1 ([C] l.24-25); 'auto-k' means scale k, which cannot be negative there.
            {"radius_scale", ParamKind::rational, "1", "k of 'auto-k' (radius_mode=auto only)", {}, B::non_negative},
            // [CC] "method": "circle"; 'no_circle' skips the circle and only rotates the grid ([C] l.113-119).
            {"method", ParamKind::choice, "circle", "circle: map to the circle; no_circle: rotate the grid only",
             {"circle", "no_circle"}},
            // [CC] "move_to_origin": true; the code's fallback and [R]'s default are false.
            {"move_to_origin", ParamKind::choice, "true", "centre the grid on its middle before projecting",
             {"true", "false"}},
            // absent from [CC] -> the code's fallback False ([C] l.11): no blend. A rate of 0 is the same.
            {"dff_rate", ParamKind::rational, "0", "blend: (1 - r) * circle + r * rotated grid (code True = 1)", {},
             B::any},
            // absent from [CC] -> the code's fallback False ([C] l.10).
            {"move_to_positive", ParamKind::choice, "false",
             "shift the block along (1,1,1) by |min coordinate| + positive_offset", {"true", "false"}},
            // The code's value doubles as the offset ([C] l.50-53): 'auto' = 0, True = float(True) = 1,
            // a number x != 0 = x. Default 0, the 'auto' reading.
            {"positive_offset", ParamKind::rational, "0", "extra shift when move_to_positive=true (code: 'auto' = 0, True = 1)",
             {}, B::any},
            // [R] configs/circlerope.py `temporal_stride: float = 1.0`; the official code has no video rule.
            {"temporal_stride", ParamKind::rational, "1", "shift of frame f along (1,1,1): f * temporal_stride", {},
             B::non_negative}};
  }

  explicit CircleRopeDesign(Params p)
      : PositionDesign(std::move(p)),
        alpha_(to_real(params().rational("alpha"))),
        radius_(to_real(params().rational("radius"))),
        radius_scale_(to_real(params().rational("radius_scale"))),
        dff_rate_(to_real(params().rational("dff_rate"))),
        positive_offset_(to_real(params().rational("positive_offset"))),
        temporal_stride_(params().rational("temporal_stride")),
        auto_radius_(params().choice("radius_mode") == "auto"),
        circle_(params().choice("method") == "circle"),
        move_to_origin_(params().choice("move_to_origin") == "true"),
        blend_(params().rational("dff_rate") != 0),
        move_to_positive_(params().choice("move_to_positive") == "true") {}

  std::string_view name() const override { return "circlerope"; }

 protected:
  Coordinate place_visual(const Coordinate& cursor, const VisualItem& item, std::vector<TokenPosition>& out) const override {
    const std::int64_t H = item.grid.h, W = item.grid.w, T = item.grid.t;
    const std::vector<Offset> ring = ring_offsets(H, W, T);
    const std::size_t first = out.size();
    const auto seg = static_cast<std::int64_t>(item.segment_index);
    for (std::int64_t f = 0; f < T; ++f) {
      // The frame's point on the text diagonal: S + f * stride, exact while S is.
      const Coordinate base = cursor + Coordinate(Rational(f) * temporal_stride_);
      for (const Offset& c : ring) {
        out.push_back({item.kind,
                       {base + Coordinate::irrational(c.t), base + Coordinate::irrational(c.h),
                        base + Coordinate::irrational(c.w)},
                       seg});
      }
    }
    return max_coordinate(out, first) + Coordinate(1);
  }

 private:
  struct Offset {
    Real t, h, w;
  };

  static Real to_real(const Rational& q) { return Real(bmp::numerator(q)) / Real(bmp::denominator(q)); }

  // The in-plane offsets c_k of the first frame, in raster order (k = hh*W' + ww); every frame reuses them.
  std::vector<Offset> ring_offsets(std::int64_t H, std::int64_t W, std::int64_t T) const {
    const Real pi = acos(Real(-1));
    const Real two_pi = 2 * pi;
    const Real sqrt2 = sqrt(Real(2)), sqrt6 = sqrt(Real(6));
    // rotate(a, b) = a*u + b*v, u = (-1,1,0)/sqrt2, v = (-1,-1,2)/sqrt6 in (w, h, t) order ([C] l.145-155).
    auto rotate = [&](const Real& a, const Real& b) {
      return Offset{2 * b / sqrt6, a / sqrt2 - b / sqrt6, -a / sqrt2 - b / sqrt6};
    };

    // The (optionally centred) grid, exactly: centres are (max + min)/2 per axis ([C] l.77-79).
    const Rational cx = move_to_origin_ ? Rational(W - 1, 2) : Rational(0);
    const Rational cy = move_to_origin_ ? Rational(H - 1, 2) : Rational(0);
    const Rational cz = move_to_origin_ ? Rational(T - 1) * temporal_stride_ / 2 : Rational(0);
    const std::size_t n = static_cast<std::size_t>(H * W);
    std::vector<Real> x(n), y(n);
    for (std::int64_t hh = 0; hh < H; ++hh)
      for (std::int64_t ww = 0; ww < W; ++ww) {
        const auto k = static_cast<std::size_t>(hh * W + ww);
        // A centred 0 converts to +0, so atan2(0, -1) = +pi as in torch ([C] l.182).
        x[k] = to_real(Rational(ww) - cx);
        y[k] = to_real(Rational(hh) - cy);
      }

    // 'auto' radius: |max| over every coordinate of every token, z included ([C] l.29 `ori_coords.max().abs()`).
    // Each axis is increasing in its index (stride >= 0), so the maxima sit at the last index.
    Real R = radius_;
    if (auto_radius_) {
      Rational m = Rational(W - 1) - cx;
      m = std::max(m, Rational(H - 1) - cy);
      m = std::max(m, Rational(T - 1) * temporal_stride_ - cz);
      R = radius_scale_ * to_real(m < 0 ? Rational(-m) : m);
    }

    std::vector<Offset> c(n);
    if (circle_) {
      // theta_SA: atan2 angles rescaled linearly so the smallest is 0 and the largest 2pi ([C] l.180-191).
      std::vector<Real> a(n);
      for (std::size_t k = 0; k < n; ++k) a[k] = atan2(y[k], x[k]);
      Real lo = a[0], hi = a[0];
      for (const Real& v : a) {
        if (v < lo) lo = v;
        if (hi < v) hi = v;
      }
      const Real range = hi - lo;
      for (std::size_t k = 0; k < n; ++k) {
        const Real sa = range > 0 ? Real((a[k] - lo) / range * two_pi) : a[k];
        const Real ga = Real(static_cast<std::int64_t>(k)) / Real(static_cast<std::int64_t>(n)) * two_pi;  // [C] l.195-196
        const Real theta = alpha_ * sa + (1 - alpha_) * ga;  // [C] l.205
        c[k] = rotate(R * cos(theta), R * sin(theta));       // [C] l.208-209, then l.121-123
      }
    } else {
      for (std::size_t k = 0; k < n; ++k) c[k] = rotate(x[k], y[k]);
    }

    if (blend_) {
      // The dff blend with the rotated grid itself ([C] l.40-46: circle_projection(..., method='no_circle')).
      const Real keep = 1 - dff_rate_;
      for (std::size_t k = 0; k < n; ++k) {
        const Offset g = rotate(x[k], y[k]);
        c[k] = Offset{keep * c[k].t + dff_rate_ * g.t, keep * c[k].h + dff_rate_ * g.h, keep * c[k].w + dff_rate_ * g.w};
      }
    }

    if (move_to_positive_) {
      // |min| over all axes of the ring, plus the offset, on every axis ([C] l.88-97). The components of
      // an in-plane point sum to 0, so the minimum is <= 0 and the shift brings it to exactly the offset.
      Real m = c[0].t;
      for (const Offset& o : c)
        for (const Real* v : {&o.t, &o.h, &o.w})
          if (*v < m) m = *v;
      const Real shift = abs(m) + positive_offset_;
      for (Offset& o : c) {
        o.t += shift;
        o.h += shift;
        o.w += shift;
      }
    }
    return c;
  }

  Real alpha_, radius_, radius_scale_, dff_rate_, positive_offset_;
  Rational temporal_stride_;
  bool auto_radius_, circle_, move_to_origin_, blend_, move_to_positive_;
};

}  // namespace mmrope
