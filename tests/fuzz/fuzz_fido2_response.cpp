// Fuzzes the client-side reading of authd's FIDO2 answers (what pam_authd.so and authctl hand to
// the security key): a response line goes through the line parser and the three typed readers.
// Whatever they accept must satisfy the documented limits.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "authd/fido2_calls.h"
#include "authd/json_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  std::string error;
  auto response = authd::parseProtocolLine(line, &error);
  if (!response) return 0;
  auto logon = authd::parseFido2BeginResponse(*response);
  if (logon.ok() && logon.answer->challenge.empty()) __builtin_trap();
  auto registration = authd::parseFido2RegisterBeginResponse(*response);
  if (registration.ok() && registration.answer->challenge.empty()) __builtin_trap();
  (void)authd::parseFido2RegisterFinishResponse(*response);
  return 0;
}
