#pragma once
// Signature check of a COSE algorithm over a message given in two parts (authenticatorData ‖
// clientDataHash in every ceremony), without copying the parts for ES256 and RS256.
//   ES256: ECDSA P-256 with SHA-256, DER signature (OpenSSL refuses non-DER encodings)
//   EdDSA: Ed25519 (pure, over the message itself)
//   RS256: RSASSA-PKCS1-v1_5 with SHA-256

#include <openssl/evp.h>

#include "authd/fido2/byte_reader.h"

namespace authd::fido2 {

// Whether `key` is of the type `algorithm` needs (P-256, Ed25519, RSA of 2048..4096 bits); for
// keys from certificates, whose type the attestation statement only claims.
bool keySuitsAlgorithm(EVP_PKEY* key, int algorithm);

// `key` must suit `algorithm`: COSE keys do by construction, check certificate keys first.
bool verifySignature(EVP_PKEY* key, int algorithm, ByteSpan first, ByteSpan second,
                     ByteSpan signature);

}  // namespace authd::fido2
