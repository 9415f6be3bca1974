// Fuzzes the client-side reading of authd's answers (what pam_authd.so trusts): a response line
// goes through the line parser and both typed response readers. An "accept" may only come out
// of a response that really says ok:true, result:"accept".
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "authd/auth_calls.h"
#include "authd/json_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  std::string error;
  auto response = authd::parseProtocolLine(line, &error);
  if (!response) return 0;
  (void)authd::parseFactorsResponse(*response);
  auto verify = authd::parseVerifyResponse(*response);
  if (verify.ok() && verify.answer->decision == authd::Decision::accept) {
    const auto& r = *response;
    if (!(r.contains("ok") && r["ok"] == true && r.contains("result") &&
          r["result"] == "accept")) {
      __builtin_trap();
    }
  }
  return 0;
}
