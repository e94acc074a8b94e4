// The one exception type of mmrope: a message that says what is wrong and where.
#pragma once

#include <stdexcept>
#include <string>

namespace mmrope {

// Thrown for invalid input (layouts, parameters, files) and for results that cannot be represented.
// The message is complete and meant for a person; callers add context, never replace it.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace mmrope
