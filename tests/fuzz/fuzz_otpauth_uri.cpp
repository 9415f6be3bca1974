// Fuzzes the otpauth:// URI parser; whatever parses must build back to a URI that parses equal.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "authd/otpauth_uri.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  auto uri = authd::parseOtpauthUri(text, &error);
  if (!uri) {
    if (error.empty()) __builtin_trap();
    return 0;
  }
  auto built = authd::buildOtpauthUri(*uri, &error);
  if (!built) __builtin_trap();
  auto again = authd::parseOtpauthUri(*built, &error);
  if (!again || !(*again == *uri)) __builtin_trap();
  return 0;
}
