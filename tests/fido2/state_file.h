#pragma once
// The persistent state of a soft authenticator with SoftAuthenticatorConfig::statePath, so that
// one process (authctl) can enrol a virtual key and another (pamtester) log on with it.
//
// Binary format, big-endian, version 1:
//   magic "SFIDO2" 00 01 | aaguid[16] | signCount u32 | rngPosition u64 | pinRetries u8 |
//   pinHashLength u8 (0 or 16) | pinHash | credentialCount u32 | credentials...
// each credential:
//   alg i64 | resident u8 (0/1) | id, rpId, userId, userName, displayName, privateKey (PKCS#8):
//   each a u16 length followed by the bytes.
// Parsing is all-or-nothing: anything malformed, truncated or trailing rejects the whole file.

#include <optional>
#include <string>

#include "fido2/authenticator_state.h"
#include "fido2/bytes.h"

namespace authd::testing {

inline constexpr size_t kMaxStateFileSize = 16 * 1024 * 1024;

// The state as bytes; they hold private keys and the PIN hash: wipe them after use.
Bytes serializeState(const AuthenticatorState& state);
// Replaces the state's persistent parts with the parsed ones; false (state untouched) when the
// data is malformed. config.aaguid, when set, wins over the stored AAGUID.
bool restoreState(AuthenticatorState& state, ByteView data);

// The file's bytes; nullopt when it does not exist. Throws std::runtime_error on other errors
// (unreadable, larger than kMaxStateFileSize).
std::optional<Bytes> readStateFile(const std::string& path);
// Writes atomically (file_util.h), mode 0600. Throws std::runtime_error on failure.
void writeStateFile(const std::string& path, ByteView data);

}  // namespace authd::testing
