// Fuzzes the soft authenticator's CTAP2 request parsing and command handlers
// (tests/fido2/ctap2_dispatcher.cpp and the handlers behind it). Input: one setup byte (bit 0: a
// PIN is set, bit 1: a resident credential for "example.org" exists, made by a fixed request),
// then requests, each a 2-byte big-endian length and that many bytes (command byte ‖ CBOR); a
// short tail is one last request. Every OK reply must carry CBOR our own strict decoder accepts.
#include <cstddef>
#include <cstdint>

#include "fido2/cbor_util.h"
#include "fido2/soft_authenticator.h"

namespace {

using namespace authd::testing;

constexpr int kMaxRequests = 16;

// makeCredential {1: cdh, 2: {"id": "example.org"}, 3: {"id": h'75'}, 4: [{"alg": -7,
// "type": "public-key"}], 7: {"rk": true}}, built with the soft key's own CBOR helpers.
Bytes residentCredentialRequest() {
  CborPtr request = CanonicalMap()
                        .add(1, cborBytes(Bytes(32, 0x11)))
                        .add(2, CanonicalMap().add("id", cborText("example.org")).build())
                        .add(3, CanonicalMap().add("id", cborBytes(Bytes{0x75})).build())
                        .add(4, CborArrayBuilder()
                                    .add(CanonicalMap()
                                             .add("alg", cborInt(-7))
                                             .add("type", cborText("public-key"))
                                             .build())
                                    .build())
                        .add(7, CanonicalMap().add("rk", cborBool(true)).build())
                        .build();
  Bytes out{0x01};
  const Bytes body = encodeCbor(request.get());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

void checkReply(const Bytes& reply) {
  if (reply.empty()) __builtin_trap();
  if (reply[0] == 0x00 && reply.size() > 1 && !decodeCbor(ByteView(reply).subspan(1))) {
    __builtin_trap();
  }
  if (reply[0] != 0x00 && reply.size() != 1) __builtin_trap();  // errors carry no body
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  SoftAuthenticatorConfig config;
  config.name = "fuzz-ctap2";
  config.algorithms = {-7, -8};  // RS256 key generation would dominate the run time
  SoftAuthenticator key(config);
  // The credential first: with a PIN set, makeCredential would need the PIN.
  if ((data[0] & 2) != 0 && key.handleCbor(residentCredentialRequest())[0] != 0) __builtin_trap();
  if ((data[0] & 1) != 0) key.setPin("1234");
  ByteView rest(data + 1, size - 1);
  for (int i = 0; i < kMaxRequests && !rest.empty(); ++i) {
    size_t length = rest.size();
    if (rest.size() >= 2) {
      const size_t prefixed = static_cast<size_t>(rest[0]) << 8 | rest[1];
      if (prefixed <= rest.size() - 2) {
        rest = rest.subspan(2);
        length = prefixed;
      }
    }
    checkReply(key.handleCbor(rest.first(length)));
    rest = rest.subspan(length);
  }
  return 0;
}
