// Fuzzes the TOML configuration reader: any input yields either a Config or one error line.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "authd/base/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  auto config = authd::parseConfig(text, "fuzz.toml", &error);
  if (!config && error.empty()) __builtin_trap();
  if (config && (config->totp.window < 0 || config->totp.window > 10)) __builtin_trap();
  return 0;
}
