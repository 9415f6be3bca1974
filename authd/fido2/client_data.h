#pragma once
// The client data check of every ceremony (docs/protocol.md "Client data"): the client sent
// exactly one of
//   hash: CTAP clients use authd's 32-byte challenge itself as clientDataHash;
//   json: WebAuthn clientDataJSON (≤ kMaxClientDataJsonSize bytes, a JSON object without repeated
//         keys) with type, challenge (base64url), origin in the allowed list, crossOrigin absent
//         or false; the authenticator signed SHA-256 of the bytes as sent.
// Challenges are compared in constant time.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "authd/fido2/byte_reader.h"
#include "authd/fido2/relying_party.h"
#include "authd/protocol.h"

namespace authd::fido2 {

inline constexpr std::size_t kChallengeSize = 32;
inline constexpr std::size_t kMaxClientDataJsonSize = protocol::kMaxFido2ClientDataJsonBytes;

enum class Ceremony { registration, authentication };  // webauthn.create, webauthn.get

using ClientDataHash = std::array<unsigned char, 32>;

// The clientDataHash the authenticator must have signed, or nullopt when the client data does
// not belong to this challenge (reason client_data_mismatch).
std::optional<ClientDataHash> checkClientData(const ClientData& clientData, ByteSpan challenge,
                                              const std::vector<std::string>& origins,
                                              Ceremony ceremony);

}  // namespace authd::fido2
