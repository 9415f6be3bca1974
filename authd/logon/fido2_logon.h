#pragma once
// FIDO2 logon: fido2_begin issues a challenge for the user's active keys; verify runs the logon
// pipeline (logon_pipeline.h) with the key's part plugged in: the challenge, the assertion
// (relying_party.h) and the signature-counter rule. Listener-independent like TotpLogon: the
// socket dispatcher calls it today, RADIUS could tomorrow.

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "authd/base/core.h"
#include "authd/logon/totp_logon.h"

namespace authd {

// A credential fido2_begin offers: an active FIDO2 credential that is not clone-suspected.
// `factors` advertises "fido2" exactly when a user has one.
bool usableSecurityKey(const CredentialRecord& c);

struct Fido2BeginAnswer {
  Bytes challenge;
  std::vector<Bytes> allow;
  std::string uv;  // toString(UserVerification): "required" | "preferred" | "discouraged"
  std::int64_t timeout = 0;
};

struct Fido2AssertionRequest {
  std::string user;
  Bytes challenge;
  Bytes credentialId;
  Bytes authData;
  Bytes signature;
  fido2::ClientData clientData;
  std::optional<std::string> password;  // directory password, when the client sends one
};

class Fido2Logon {
 public:
  explicit Fido2Logon(Core core) : core_(std::move(core)) {}

  // Throws OpError(not_found) when the user has no usable security key (or is unknown).
  boost::asio::awaitable<Fido2BeginAnswer> begin(std::string user, Caller caller);
  boost::asio::awaitable<VerifyAnswer> verify(Fido2AssertionRequest request, Caller caller);

 private:
  Core core_;
};

}  // namespace authd
