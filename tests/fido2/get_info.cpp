// authenticatorGetInfo and authenticatorReset.
#include "fido2/cbor_util.h"
#include "fido2/ctap2_commands.h"
#include "fido2/ctap_status.h"

namespace authd::testing {

CtapReply handleGetInfo(AuthenticatorState& state) {
  CborArrayBuilder versions;
  versions.add(cborText("FIDO_2_0"));
  if (state.config.pinUvAuthToken) versions.add(cborText("FIDO_2_1"));
  CborArrayBuilder protocols;
  for (int version : state.config.pinProtocols) protocols.add(cborInt(version));
  CanonicalMap options;
  options.add("rk", cborBool(true))
      .add("up", cborBool(true))
      .add("plat", cborBool(false))
      .add("clientPin", cborBool(!state.pin.pinHash.empty()));
  if (state.config.pinUvAuthToken) options.add("pinUvAuthToken", cborBool(true));
  CborArrayBuilder algorithms;
  for (int64_t alg : state.config.algorithms) {
    if (!state.acceptsAlgorithm(alg)) continue;
    algorithms.add(
        CanonicalMap().add("alg", cborInt(alg)).add("type", cborText("public-key")).build());
  }
  return ctapOk(CanonicalMap()
                    .add(1, versions.build())
                    .add(2, CborArrayBuilder().build())
                    .add(3, cborBytes(state.aaguid))
                    .add(4, options.build())
                    .add(5, cborInt(1200))  // maxMsgSize
                    .add(6, protocols.build())
                    .add(10, algorithms.build())
                    .build());
}

CtapReply handleReset(AuthenticatorState& state) {
  if (!state.touch()) return ctapError(ctap::kNotAllowed);
  state.credentials.clear();
  wipeBytes(state.pin.pinHash);
  wipeBytes(state.pin.token);
  state.pin.retries = state.config.maxPinRetries;
  state.pin.consecutiveFailures = 0;
  state.pending = PendingAssertions{};
  return CtapReply{ctap::kOk, {}};  // reset answers the status byte alone
}

}  // namespace authd::testing
