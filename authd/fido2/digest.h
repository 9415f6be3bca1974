#pragma once
// SHA-256 for the relying party (rpIdHash, clientDataJSON, signed messages) with the digest
// implementation fetched once: OpenSSL 3's one-shot SHA256() fetches it again on every call.

#include <openssl/types.h>

#include <array>

#include "authd/fido2/byte_reader.h"

namespace authd::fido2 {

using Sha256Digest = std::array<unsigned char, 32>;

// SHA-256(first ‖ second); false only when OpenSSL fails.
bool sha256(ByteSpan first, ByteSpan second, Sha256Digest* out);

const EVP_MD* sha256Algorithm();

}  // namespace authd::fido2
