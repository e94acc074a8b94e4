// The one exception type of mmrope: a message that says what is wrong and where; and how messages quote input.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mmrope {

// Thrown for invalid input (layouts, parameters, files) and for results that cannot be represented.
// The message is complete and meant for a person; callers add context, never replace it.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// How a message shows an untrusted value: in single quotes, at most `max` characters of it, each byte
// outside printable ASCII shown as '?', so the message stays one short line whatever the input was.
// A longer value is cut and says how long it was: 'abcd...' (100000 characters).
inline std::string quoted_prefix(std::string_view text, std::size_t max = 40) {
  std::string shown(text.substr(0, max));
  for (char& c : shown)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  if (text.size() <= max) return "'" + shown + "'";
  return "'" + shown + "...' (" + std::to_string(text.size()) + " characters)";
}

}  // namespace mmrope
