// Named, typed parameters of a position design: declared with defaults, set from text, read typed.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "error.hpp"
#include "exact.hpp"

namespace mmrope {

enum class ParamKind { integer, rational, rational_list, choice };

struct ParamSpec {
  std::string name;
  ParamKind kind = ParamKind::rational;
  std::string default_value;
  std::string help;
  std::vector<std::string> choices;  // for ParamKind::choice
  // Lower bound of numeric values (and of every list element); "positive" is min 0 exclusive.
  enum class Bound { any, non_negative, positive, at_least_one } bound = Bound::any;
};

namespace detail {

inline std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : text) {
    if (c == ',') { parts.push_back(cur); cur.clear(); } else { cur += c; }
  }
  parts.push_back(cur);
  return parts;
}

inline Rational checked_rational(const ParamSpec& spec, const std::string& text) {
  auto q = parse_rational(text);
  if (!q) throw Error("parameter " + quoted_prefix(spec.name) + ": " + quoted_prefix(text) + " is not a number (use a decimal like 0.5 or a fraction like 1/3)");
  using B = ParamSpec::Bound;
  if ((spec.bound == B::non_negative && *q < 0) || (spec.bound == B::positive && *q <= 0) ||
      (spec.bound == B::at_least_one && *q < 1)) {
    const char* need = spec.bound == B::non_negative ? "non-negative" : spec.bound == B::positive ? "positive" : "at least 1";
    throw Error("parameter " + quoted_prefix(spec.name) + ": " + quoted_prefix(text) + " must be " + need);
  }
  return *q;
}

}  // namespace detail

// Values of a design's parameters, always complete: every declared parameter has its default until set.
class Params {
 public:
  explicit Params(std::vector<ParamSpec> specs) : specs_(std::move(specs)) {
    for (const auto& s : specs_) set(s.name, s.default_value);
  }

  const std::vector<ParamSpec>& specs() const { return specs_; }

  bool has(const std::string& name) const { return values_.count(name) != 0; }

  // Sets a value after checking it against its declaration; throws Error naming the parameter.
  void set(const std::string& name, const std::string& value) {
    const ParamSpec& spec = find(name);
    switch (spec.kind) {
      case ParamKind::integer: {
        Rational q = detail::checked_rational(spec, value);
        if (!is_integer(q) || abs(q) > Rational(int64_max_big()))
          throw Error("parameter " + quoted_prefix(name) + ": " + quoted_prefix(value) + " is not an integer");
        break;
      }
      case ParamKind::rational: detail::checked_rational(spec, value); break;
      case ParamKind::rational_list:
        for (const auto& part : detail::split_list(value)) detail::checked_rational(spec, part);
        break;
      case ParamKind::choice:
        if (std::find(spec.choices.begin(), spec.choices.end(), value) == spec.choices.end()) {
          std::string list;
          for (const auto& c : spec.choices) list += (list.empty() ? "" : ", ") + c;
          throw Error("parameter " + quoted_prefix(name) + ": " + quoted_prefix(value) + " is not one of: " + list);
        }
        break;
    }
    values_[name] = value;
  }

  const std::string& text(const std::string& name) const {
    find(name);
    return values_.at(name);
  }
  Rational rational(const std::string& name) const { return *parse_rational(text(name)); }
  std::int64_t integer(const std::string& name) const { return static_cast<std::int64_t>(bmp::numerator(rational(name))); }
  std::vector<Rational> rational_list(const std::string& name) const {
    std::vector<Rational> out;
    for (const auto& part : detail::split_list(text(name))) out.push_back(*parse_rational(part));
    return out;
  }
  const std::string& choice(const std::string& name) const { return text(name); }
  // The value of a parameter the design may not declare, or the fallback when it does not.
  std::string text_or(const std::string& name, const std::string& fallback) const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
  }

 private:
  const ParamSpec& find(const std::string& name) const {
    for (const auto& s : specs_)
      if (s.name == name) return s;
    std::string list;
    for (const auto& s : specs_) list += (list.empty() ? "" : ", ") + s.name;
    throw Error("unknown parameter " + quoted_prefix(name) + " (this design has: " + list + ")");
  }

  std::vector<ParamSpec> specs_;
  std::map<std::string, std::string> values_;
};

}  // namespace mmrope
