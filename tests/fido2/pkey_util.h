#pragma once
// OpenSSL EVP_PKEY helpers shared by the soft authenticator's key classes: ownership, PKCS#8
// DER import/export (the state file), and X.509/PEM handling for attestation certificates.

#include <openssl/evp.h>

#include <memory>
#include <string>

#include "fido2/bytes.h"

namespace authd::testing {

struct EvpPkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

// PKCS#8 PrivateKeyInfo DER of a private key; empty on failure. Wipe the result after use.
Bytes pkcs8Der(const EVP_PKEY* key);
// Parses PKCS#8 DER (whole input, nothing trailing); nullptr when malformed.
EvpPkeyPtr pkeyFromPkcs8(ByteView der);

// One signature with EVP_DigestSign: `md` nullptr for Ed25519 (signs the raw message). Throws
// std::runtime_error when OpenSSL fails (a broken test setup, not a test outcome).
Bytes digestSign(EVP_PKEY* key, const EVP_MD* md, ByteView message);

}  // namespace authd::testing
