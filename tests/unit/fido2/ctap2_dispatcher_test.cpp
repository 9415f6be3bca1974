#include "fido2/ctap2_dispatcher.h"

#include <doctest/doctest.h>

#include "fido2/ctap_status.h"

using namespace authd::testing;

TEST_CASE("the dispatcher rejects malformed requests before any handler runs") {
  AuthenticatorState state(SoftAuthenticatorConfig{});
  CHECK(dispatchCtap2(state, Bytes{}) == Bytes{ctap::kInvalidLength});
  CHECK(dispatchCtap2(state, Bytes{0x04, 0x00}) == Bytes{ctap::kInvalidLength});  // getInfo + junk
  CHECK(dispatchCtap2(state, Bytes{0x42}) == Bytes{ctap::kInvalidCommand});
  CHECK(dispatchCtap2(state, Bytes{0x01, 0xa1, 0x01}) == Bytes{ctap::kInvalidCbor});
  CHECK(dispatchCtap2(state, Bytes{0x01, 0xa0, 0x00}) == Bytes{ctap::kInvalidCbor});   // trailing
  CHECK(dispatchCtap2(state, Bytes{0x01, 0x80}) == Bytes{ctap::kCborUnexpectedType});  // not a map
  CHECK(dispatchCtap2(state, Bytes{0x01, 0xa1, 0x61, 'a', 0x01}) ==
        Bytes{ctap::kCborUnexpectedType});  // text key
  CHECK(dispatchCtap2(state, Bytes{0x01, 0xa0}) == Bytes{ctap::kMissingParameter});
  CHECK(dispatchCtap2(state, Bytes{0x02, 0xa0}) == Bytes{ctap::kMissingParameter});
  CHECK(dispatchCtap2(state, Bytes{0x06, 0xa0}) == Bytes{ctap::kMissingParameter});
  CHECK(state.credentials.size() == 0);
  CHECK(state.signCount == 0);
}

TEST_CASE("getInfo answers OK with a CBOR map") {
  AuthenticatorState state(SoftAuthenticatorConfig{});
  const Bytes reply = dispatchCtap2(state, Bytes{ctap::kGetInfo});
  REQUIRE(reply.size() > 2);
  CHECK(reply[0] == ctap::kOk);
  CHECK((reply[1] & 0xe0) == 0xa0);  // major type 5: map
}
