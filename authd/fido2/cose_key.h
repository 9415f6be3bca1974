#pragma once
// Strict COSE_Key (RFC 9052 §7, WebAuthn §6.5.1.1) for the three credential algorithms, turned
// into an OpenSSL public key:
//   ES256 {1:2, 3:-7, -1:1, -2:x(32), -3:y(32)}   (point must be on P-256)
//   EdDSA {1:1, 3:-8, -1:6, -2:x(32)}             (Ed25519)
//   RS256 {1:3, 3:-257, -1:n, -2:e}               (2048..4096-bit modulus)
// Exactly these keys, strict CBOR (cbor_strict.h), nothing trailing.

#include "authd/fido2/byte_reader.h"
#include "authd/fido2/openssl_ptr.h"

namespace authd::fido2 {

enum class CoseKeyStatus {
  ok,
  malformed,             // not a well-formed key of a known algorithm
  unsupportedAlgorithm,  // a CBOR map whose alg (3) is none of ES256, EdDSA, RS256
};

struct CoseKey {
  CoseKeyStatus status = CoseKeyStatus::malformed;
  int algorithm = 0;
  EvpPkeyPtr publicKey;  // set when status is ok
};

CoseKey parseCoseKey(ByteSpan encoded);

}  // namespace authd::fido2
