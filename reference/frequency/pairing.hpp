// Which two channels of a head a rotary pair rotates: neox (c, c + d/2, "rotate_half") or gptj (2i, 2i + 1).
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "../error.hpp"
#include "../vocabulary.hpp"

namespace mmrope {

inline std::string_view to_string(Pairing p) { return p == Pairing::neox ? "neox" : "gptj"; }

inline Pairing parse_pairing(std::string_view s) {
  if (s == "neox" || s == "rotate-half") return Pairing::neox;
  if (s == "gptj" || s == "interleaved-pairs") return Pairing::gptj;
  throw Error("unknown pairing " + quoted_prefix(s) + " (known: neox, gptj)");
}

// The channels (first, second) of pair j within the rotary part [0, rotary_dim) of a head; channels from
// rotary_dim on are not rotated (partial rotary: HF rotates q[..., :rotary_dim] and passes the rest through).
// The rotation is (first, second) -> (first cos - second sin, second cos + first sin).
inline std::pair<int, int> pair_channels(Pairing p, int pair, int rotary_dim) {
  return p == Pairing::neox ? std::pair{pair, pair + rotary_dim / 2} : std::pair{2 * pair, 2 * pair + 1};
}

}  // namespace mmrope
