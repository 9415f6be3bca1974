#pragma once
// Typed FIDO2 calls of the authd protocol (docs/protocol.md: `fido2_begin`, `verify` with
// factor "fido2", `fido2_register_begin`, `fido2_register_finish`). Pure protocol: request
// builders and strict response parsers, plus conveniences over authd::Client. No libfido2 here,
// so a browser back end or a Windows credential provider can reuse it with its own key access.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authd/auth_calls.h"
#include "authd/base64url.h"

namespace authd {

enum class UvPolicy { required, preferred, discouraged };
std::string_view toString(UvPolicy uv);
std::optional<UvPolicy> uvPolicyFrom(std::string_view text);

// Answer of `fido2_begin`: what the client hands to the key.
struct Fido2LogonChallenge {
  Bytes challenge;  // 32 bytes; CTAP clients use it as clientDataHash
  std::string rpId;
  std::vector<Bytes> allow;  // the user's credential ids
  UvPolicy uv = UvPolicy::preferred;
  std::int64_t timeoutSeconds = 60;
};

// What the key produced, sent back with `verify`.
struct Fido2Assertion {
  Bytes challenge;
  Bytes credentialId;
  Bytes authData;  // raw authenticator data
  Bytes signature;
  Bytes clientDataHash;  // CTAP clients: equal to challenge
};

struct Fido2VerifyRequest {
  std::string user;
  Fido2Assertion assertion;
  std::string service;  // audit context, as in VerifyRequest
  std::string rhost;
  std::string tty;
  std::optional<std::string> password;  // directory password, as in VerifyRequest; wiped

  Fido2VerifyRequest() = default;
  Fido2VerifyRequest(const Fido2VerifyRequest&) = delete;
  Fido2VerifyRequest& operator=(const Fido2VerifyRequest&) = delete;
  ~Fido2VerifyRequest();
};

// Answer of `fido2_register_begin` (admin).
struct Fido2RegistrationChallenge {
  Bytes challenge;
  std::string rpId;
  std::string rpName;
  Bytes userHandle;
  std::string userName;
  std::string userDisplayName;
  std::vector<int> algorithms;  // COSE ids in preference order
  std::vector<Bytes> exclude;   // credential ids already enrolled for the user
  bool resident = false;
  UvPolicy uv = UvPolicy::preferred;
  std::string attestation;  // "none" | "self" | "trusted": the service's policy
  std::int64_t timeoutSeconds = 60;
};

// What makeCredential produced, sent back with `fido2_register_finish`.
struct Fido2Attestation {
  Bytes challenge;
  std::string fmt;  // "packed", "fido-u2f", "none"
  Bytes authData;   // raw
  Bytes attStmt;    // CBOR map
  Bytes clientDataHash;
};

struct Fido2RegisteredAnswer {
  std::int64_t credentialId = 0;  // authd's row id (as in `list`)
  std::string fido2Id;            // base64url credential id
  std::string aaguid;
  std::string attestation;  // "none" | "self" | "basic" | "basic_unverified"
  std::string fmt;
  int algorithm = 0;
};

nlohmann::json fido2BeginRequest(std::string_view user, std::string_view service);
CallResult<Fido2LogonChallenge> parseFido2BeginResponse(const nlohmann::json& response);

// Carries "password" only when request.password is set; it is not checked here (verifyFido2 does,
// with isSendablePassword).
nlohmann::json fido2VerifyRequest(const Fido2VerifyRequest& request);
// The answer of a fido2 `verify` has the same shape as a TOTP one: parseVerifyResponse.

struct Fido2RegisterOptions {
  std::string user;
  std::string label;  // empty: authd's default
  bool resident = false;
  std::optional<UvPolicy> uv;  // nullopt: authd's default
};
nlohmann::json fido2RegisterBeginRequest(const Fido2RegisterOptions& options);
CallResult<Fido2RegistrationChallenge> parseFido2RegisterBeginResponse(
    const nlohmann::json& response);

nlohmann::json fido2RegisterFinishRequest(std::string_view user, const Fido2Attestation& att);
CallResult<Fido2RegisteredAnswer> parseFido2RegisterFinishResponse(const nlohmann::json& response);

// Conveniences over a Client (one round trip each). Arguments the protocol cannot carry (user
// name not a wire string, binary fields of the wrong size) are an argument error: nothing is sent.
CallResult<Fido2LogonChallenge> beginFido2Logon(Client& client, std::string_view user,
                                                std::string_view service);
CallResult<VerifyAnswer> verifyFido2(Client& client, const Fido2VerifyRequest& request);
CallResult<Fido2RegistrationChallenge> beginFido2Registration(Client& client,
                                                              const Fido2RegisterOptions& options);
CallResult<Fido2RegisteredAnswer> finishFido2Registration(Client& client, std::string_view user,
                                                          const Fido2Attestation& att);

}  // namespace authd
