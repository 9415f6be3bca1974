#pragma once
// An operation refused for a reason the caller must hear: carries a protocol error code
// (docs/protocol.md) and a one-line message without secrets.

#include <stdexcept>
#include <string>
#include <string_view>

namespace authd {

class OpError : public std::runtime_error {
 public:
  OpError(std::string_view code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  std::string_view code() const { return code_; }

 private:
  std::string_view code_;
};

}  // namespace authd
