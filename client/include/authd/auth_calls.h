#pragma once
// Typed verification calls of the authd protocol (docs/protocol.md: `factors`, `verify`) on top
// of authd::Client. Knows nothing about PAM: a VPN plugin or a Windows credential provider reuses
// it unchanged. Every answer is read through JsonReader, so a malformed or unexpected response is
// an error value, never a guessed decision.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authd/client.h"

namespace authd {

struct CallError {
  enum class Kind {
    connect,   // authd is not reachable
    timeout,   // no answer before the deadline
    io,        // the connection broke
    protocol,  // the response is malformed or breaks the contract
    server,    // authd answered "ok": false; `code` holds its error code
    argument,  // the request cannot be expressed in the protocol; nothing was sent
  };
  Kind kind = Kind::protocol;
  std::string code;     // the server's "error" value (Kind::server only)
  std::string message;  // for logs; never holds a secret
  // Kind::server: the server's "user_message", a text for the person at the device (why an
  // offline logon cannot work); empty when it sent none.
  std::string userMessage;
};

// Stable lower-case name of a kind ("connect", "timeout", ...), for logs.
std::string_view callErrorKindName(CallError::Kind kind);

// Either an answer or the reason there is none.
template <typename T>
struct CallResult {
  std::optional<T> answer;
  CallError error;  // meaningful only when answer is empty

  bool ok() const { return answer.has_value(); }
  static CallResult failure(CallError e) { return CallResult{std::nullopt, std::move(e)}; }
};

struct FactorsAnswer {
  std::vector<std::string> factors;        // active factors; empty when none is enrolled
  bool locked = false;                     // the failure limit locked the second factor
  std::optional<std::int64_t> retryAfter;  // seconds; always set when locked
  // false: the group policy lets this account log on without a second factor. Daemons that
  // predate the field do not send it; they always require one.
  bool mfaRequired = true;
};

struct VerifyRequest {
  std::string user;
  std::string factor = "totp";
  std::string code;  // secret: wiped by the destructor
  // Audit-only context; empty means absent. Values that do not fit the protocol are truncated
  // (too long) or left out (not UTF-8, control characters) rather than failing the logon.
  std::string service;
  std::string rhost;
  std::string tty;
  // The user's directory password, for authd to check after the second factor; nullopt: not
  // sent. Secret: wiped by the destructor, never logged.
  std::optional<std::string> password;

  VerifyRequest() = default;
  VerifyRequest(const VerifyRequest&) = delete;
  VerifyRequest& operator=(const VerifyRequest&) = delete;
  ~VerifyRequest();
};

enum class Decision { accept, reject, locked };

struct VerifyAnswer {
  Decision decision = Decision::reject;
  std::string message;                       // text for the user, from authd
  std::optional<std::int64_t> retryAfter;    // seconds; always set when locked
  std::optional<std::int64_t> credentialId;  // always set when accepted
};

// A directory password the protocol can carry: 1 to protocol::kMaxPasswordBytes bytes of UTF-8
// without control characters (authd refuses anything else as a bad request).
bool isSendablePassword(std::string_view password);

// The `factors` operation. `service` may be empty (then it is not sent).
CallResult<FactorsAnswer> queryFactors(Client& client, std::string_view user,
                                       std::string_view service);

// The `verify` operation. A code or password the protocol cannot carry is an argument error.
CallResult<VerifyAnswer> verifyCode(Client& client, const VerifyRequest& request);

// Response parsers, exposed for tests and for clients with their own transport. They take the
// whole response object (envelope included) and accept only what docs/protocol.md allows.
CallResult<FactorsAnswer> parseFactorsResponse(const nlohmann::json& response);
CallResult<VerifyAnswer> parseVerifyResponse(const nlohmann::json& response);

}  // namespace authd
