// Fuzzes every operation's request reader (authd/api/requests.h) as the dispatcher runs it: the
// first byte picks the operation, the rest is the request line. Every refusal must be an
// OpError(bad_request) with a message; any other exception, or a reader that returns although
// the object holds a field it did not read, is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "authd/api/requests.h"
#include "authd/base/op_error.h"
#include "authd/json_reader.h"
#include "authd/protocol.h"

namespace {

using Reader = void (*)(authd::JsonReader&);

// One entry per operation of the dispatcher's table (authd/api/dispatcher.cpp), in its order.
constexpr Reader kReaders[] = {
    [](authd::JsonReader& r) { authd::readPing(r); },
    [](authd::JsonReader& r) { (void)authd::readFactors(r); },
    [](authd::JsonReader& r) { (void)authd::readVerify(r); },
    [](authd::JsonReader& r) { (void)authd::readEnrollTotp(r); },
    [](authd::JsonReader& r) { (void)authd::readConfirmTotp(r); },
    [](authd::JsonReader& r) { (void)authd::readList(r); },
    [](authd::JsonReader& r) { (void)authd::readShow(r); },
    [](authd::JsonReader& r) { (void)authd::readRevoke(r); },
    [](authd::JsonReader& r) { (void)authd::readUnlock(r); },
    [](authd::JsonReader& r) { (void)authd::readAudit(r); },
    [](authd::JsonReader& r) { (void)authd::readFido2Begin(r); },
    [](authd::JsonReader& r) { (void)authd::readFido2RegisterBegin(r); },
    [](authd::JsonReader& r) { (void)authd::readFido2RegisterFinish(r); },
    [](authd::JsonReader& r) { (void)authd::readFido2Reinstate(r); },
    [](authd::JsonReader& r) { (void)authd::readOfflineSync(r); },
    [](authd::JsonReader& r) { (void)authd::readOfflineRevoke(r); },
    [](authd::JsonReader& r) { (void)authd::readSessions(r); },
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const Reader read = kReaders[data[0] % std::size(kReaders)];
  std::string_view line(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string error;
  auto request = authd::parseProtocolLine(line, &error);
  if (!request) {
    if (error.empty()) __builtin_trap();  // every refusal must say why
    return 0;
  }
  // The envelope as Dispatcher::run reads it, then the operation's fields.
  authd::JsonReader r(*request);
  (void)authd::readId(r);
  (void)r.requireInt("v", 0, INT32_MAX);
  (void)r.requireString("op", 32);
  if (r.failed()) return 0;
  try {
    read(r);
  } catch (const authd::OpError& e) {
    if (e.code() != authd::protocol::error::kBadRequest || std::string_view(e.what()).empty()) {
      __builtin_trap();
    }
    return 0;
  }
  if (!r.finish()) __builtin_trap();  // a reader that returned has read every field
  return 0;
}
