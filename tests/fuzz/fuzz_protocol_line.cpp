// Fuzzes the wire protocol's line parser and the typed field reader with arbitrary request lines,
// reading the fields of a verify request as the dispatcher does.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "authd/json_reader.h"
#include "authd/protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  std::string error;
  auto request = authd::parseProtocolLine(line, &error);
  if (!request) {
    if (error.empty()) __builtin_trap();  // every refusal must say why
    return 0;
  }
  authd::JsonReader r(*request);
  (void)r.optionalAny("id");
  (void)r.requireInt("v", 0, INT32_MAX);
  (void)r.requireString("op", 32);
  (void)r.requireString("user", authd::protocol::kMaxUserBytes);
  (void)r.optionalString("code", authd::protocol::kMaxCodeBytes);
  (void)r.optionalInt("credential_id", 1, (int64_t{1} << 53) - 1);
  (void)r.optionalBool("confirm");
  if (r.finish() == r.failed()) __builtin_trap();  // finish() fails exactly when a read failed
  return 0;
}
