// Fuzzes authctl's --since parser (command-line input): every refusal says why, and an accepted
// value is a valid Unix time (>= 0).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cli/time_arg.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  const std::int64_t now = 1'800'000'000;
  auto t = authd::cli::parseTimeArgument(text, now, &error);
  if (!t && error.empty()) __builtin_trap();
  if (t && *t < 0) __builtin_trap();
  return 0;
}
