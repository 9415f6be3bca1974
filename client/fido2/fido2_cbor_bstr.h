#pragma once
// libfido2 1.12 hands out an assertion's authenticator data only CBOR-wrapped (a byte string
// item); the protocol sends it raw. This unwraps exactly one definite-length byte string.

#include <cstddef>
#include <optional>

#include "authd/base64url.h"

namespace authd::fido2_detail {

// The payload of the CBOR byte string that fills data[0..size) exactly; nullopt when the bytes
// are anything else (other major type, indefinite length, truncated, or bytes left over).
std::optional<Bytes> unwrapCborByteString(const unsigned char* data, std::size_t size);

}  // namespace authd::fido2_detail
