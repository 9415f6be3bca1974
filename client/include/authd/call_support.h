#pragma once
// Building blocks of the typed protocol calls (auth_calls, fido2_calls, and any further call
// family): error values, the strict response envelope, and the rules for strings a request may
// carry. Kept apart so every call family reads envelopes the same way.

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "authd/auth_calls.h"
#include "authd/client.h"
#include "authd/json_reader.h"

namespace authd::calls {

// Limits the protocol leaves to the client: generous, but bounded.
inline constexpr std::size_t kMaxMessageBytes = 1024;
inline constexpr std::size_t kMaxErrorCodeBytes = 64;
inline constexpr std::int64_t kMaxWireInt = (std::int64_t{1} << 53) - 1;

CallError protocolError(std::string message);
CallError argumentError(std::string message);
// A failed Client::call as a CallError of the matching kind.
CallError transportError(const ClientError& error);

// A string the protocol accepts: 1..maxBytes bytes, UTF-8, no control characters.
bool isWireString(std::string_view s, std::size_t maxBytes);

// Audit context must never fail a call: values that are too long are shortened (on a UTF-8
// boundary), values that cannot be sent at all are left out.
void addAuditField(nlohmann::json& request, const char* key, std::string_view value,
                   std::size_t maxBytes);

// Reads the envelope (v, id, ok) of a response through `reader`. nullopt when the response says
// "ok": true and its result fields may now be read; otherwise the error to report: a protocol
// error, or the server's own error for "ok": false.
std::optional<CallError> expectSuccess(const nlohmann::json& response, JsonReader& reader);

}  // namespace authd::calls
