// A command line as the docs write it, split into arguments: double quotes only, no other shell syntax.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mmrope {

// Splits a command line into arguments. Returns nullopt and sets `error` for an unbalanced quote or
// a character that would mean something to a shell (the docs show commands a reader can paste).
inline std::optional<std::vector<std::string>> split_command(std::string_view text, std::string& error) {
  std::vector<std::string> args;
  std::string cur;
  bool in_arg = false, quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        quoted = false;
      } else if (c == '\\' && i + 1 < text.size() && (text[i + 1] == '"' || text[i + 1] == '\\')) {
        cur += text[++i];
      } else {
        cur += c;
      }
    } else if (c == ' ' || c == '\t') {
      if (in_arg) args.push_back(cur);
      cur.clear();
      in_arg = false;
    } else if (c == '"') {
      quoted = in_arg = true;
    } else if (std::string_view("'`$|;&<>\\()#*?~").find(c) != std::string_view::npos) {
      // Appended, not a chain of +: GCC 12 warns falsely (-Warray-bounds) on the inlined chain.
      error = "the command uses shell syntax '";
      error += c;
      error += "' (only double quotes are supported)";
      return std::nullopt;
    } else {
      cur += c;
      in_arg = true;
    }
  }
  if (quoted) {
    error = "the command has an unbalanced double quote";
    return std::nullopt;
  }
  if (in_arg) args.push_back(cur);
  return args;
}

}  // namespace mmrope
