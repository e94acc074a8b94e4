// RapidCheck generators of design-parameter values over each parameter's whole declared domain, extremes included.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "param_domain.hpp"
#include "reference/exact.hpp"

namespace mmrope::gen {

// A rational of the declared bound, as parameter text. Mixes the extremes (0, the smallest positive value
// 2^-20, the cap 2^20) with small integers and fractions, which are where rounding and centring rules differ.
// Shrinks towards 1 (or the bound's smallest value).
inline rc::Gen<Rational> rational_in(ParamSpec::Bound bound, std::int64_t cap = domain::kMaxMagnitude) {
  using B = ParamSpec::Bound;
  const Rational lowest = bound == B::at_least_one ? Rational(1) : bound == B::positive ? Rational(1, cap) : Rational(0);
  auto magnitude = rc::gen::weightedOneOf<Rational>({
      {4, rc::gen::map(rc::gen::inRange<std::int64_t>(0, 9), [](std::int64_t n) { return Rational(n); })},
      {4, rc::gen::map(rc::gen::pair(rc::gen::inRange<std::int64_t>(0, 65), rc::gen::inRange<std::int64_t>(1, 17)),
                       [](const std::pair<std::int64_t, std::int64_t>& nd) { return Rational(nd.first, nd.second); })},
      {2, rc::gen::map(rc::gen::inRange(0, 21), [](int k) { return Rational(std::int64_t{1} << k); })},
      {1, rc::gen::element(Rational(0), Rational(1, cap), Rational(cap), Rational(cap - 1, cap))},
      {1, rc::gen::map(rc::gen::inRange<std::int64_t>(0, cap + 1), [](std::int64_t n) { return Rational(n); })},
  });
  const bool signed_domain = bound == B::any;
  return rc::gen::map(rc::gen::pair(magnitude, rc::gen::inRange(0, signed_domain ? 3 : 1)),
                      [lowest, signed_domain](const std::pair<Rational, int>& ms) {
                        const Rational q = signed_domain && ms.second == 2 ? Rational(-ms.first) : ms.first;
                        return signed_domain ? q : max(q, lowest);
                      });
}

// An integer in [lo, hi]: small values near lo, the whole range, and both ends.
inline rc::Gen<std::int64_t> integer_in(std::int64_t lo, std::int64_t hi) {
  return rc::gen::weightedOneOf<std::int64_t>({{4, rc::gen::inRange<std::int64_t>(lo, std::min(hi, lo + 4) + 1)},
                                               {2, rc::gen::inRange<std::int64_t>(lo, hi + 1)},
                                               {1, rc::gen::element(lo, hi)}});
}

// The text of one value of a varied parameter.
inline rc::Gen<std::string> param_value(const domain::VariedParam& p) {
  const ParamSpec& s = p.spec;
  switch (s.kind) {
    case ParamKind::integer:
      return rc::gen::map(integer_in(domain::min_integer(s), p.max_integer), [](std::int64_t v) { return std::to_string(v); });
    case ParamKind::rational:
      return rc::gen::map(rational_in(s.bound), [](const Rational& q) { return format_rational(q); });
    case ParamKind::rational_list:
      return rc::gen::mapcat(rc::gen::element<std::size_t>(1, domain::kScaleListLength, domain::kScaleListLength + 2),
                             [bound = s.bound](std::size_t n) {
                               return rc::gen::map(rc::gen::container<std::vector<Rational>>(n, rational_in(bound)),
                                                   [](const std::vector<Rational>& qs) {
                                                     std::string text;
                                                     for (const auto& q : qs) text += (text.empty() ? "" : ",") + format_rational(q);
                                                     return text;
                                                   });
                             });
    case ParamKind::choice: return rc::gen::elementOf(s.choices);
  }
  return rc::gen::just(s.default_value);
}

// Overrides for a preset: every varied parameter, each one either the preset's own value (a quarter of the
// time, so the presets themselves stay covered) or drawn from its domain. All are written, so the printed case
// names every value it ran with.
inline rc::Gen<std::vector<std::pair<std::string, std::string>>> param_overrides(const std::string& preset_name) {
  const Preset& preset = find_preset(preset_name);
  std::vector<rc::Gen<std::pair<std::string, std::string>>> parts;
  for (const auto& p : domain::varied_params(preset)) {
    const std::string own = domain::value_of(preset, {}, p.spec.name);
    parts.push_back(rc::gen::map(rc::gen::pair(rc::gen::inRange(0, 4), param_value(p)),
                                 [name = p.spec.name, own](const std::pair<int, std::string>& kv) {
                                   return std::pair{name, kv.first == 0 ? own : kv.second};
                                 }));
  }
  return rc::gen::exec([parts] {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& g : parts) out.push_back(*g);
    return out;
  });
}

}  // namespace mmrope::gen
