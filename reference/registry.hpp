// A registry's look-up by name: the entry, or an error that names what was asked for and lists the known names.
#pragma once

#include <string>
#include <string_view>

#include "error.hpp"

namespace mmrope {

// The names of a registry's entries, comma-separated, in registry order. Entries have a `name` member.
template <class Entries>
std::string known_names(const Entries& entries) {
  std::string list;
  for (const auto& e : entries) list += (list.empty() ? "" : ", ") + std::string(e.name);
  return list;
}

// The entry called `name`; throws Error("unknown WHAT 'NAME' (known: ...)") when there is none. `what` says
// what the registry holds ("design", "preset", ...).
template <class Entries>
const auto& find_named(const Entries& entries, std::string_view name, std::string_view what) {
  for (const auto& e : entries)
    if (e.name == name) return e;
  throw Error("unknown " + std::string(what) + " " + quoted_prefix(name) + " (known: " + known_names(entries) + ")");
}

}  // namespace mmrope
