#pragma once
// FIDO2 enrolment (admin): fido2_register_begin hands out a registration challenge with the
// user's exclude list; fido2_register_finish verifies the attestation under the configured
// policy (relying_party.h) and stores the credential with its audit event in one transaction.
// fido2_reinstate clears a clone-suspected mark after an admin has looked at the key.

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <vector>

#include "authd/api/requests.h"  // Fido2RegisterBeginRequest, Fido2RegisterFinishRequest
#include "authd/base/core.h"

namespace authd {

struct Fido2RegisterBeginAnswer {
  Bytes challenge;
  Bytes userHandle;
  std::string userName;
  std::string userDisplayName;
  std::vector<Bytes> exclude;
  bool resident = false;
  std::string uv;
  std::int64_t timeout = 0;
};

struct Fido2RegisterFinishAnswer {
  std::int64_t credentialId = 0;
  fido2::RegisteredCredential credential;
};

// COSE algorithms offered to keys, in preference order.
const std::vector<int>& fido2Algorithms();

class Fido2Enrolment {
 public:
  explicit Fido2Enrolment(Core core) : core_(std::move(core)) {}

  boost::asio::awaitable<Fido2RegisterBeginAnswer> begin(Fido2RegisterBeginRequest request,
                                                         Caller caller);
  // Throws OpError(bad_request / conflict) with the reason when the registration is refused;
  // the refusal is audited first.
  boost::asio::awaitable<Fido2RegisterFinishAnswer> finish(Fido2RegisterFinishRequest request,
                                                           Caller caller);
  boost::asio::awaitable<void> reinstate(std::string user, std::int64_t credentialId,
                                         Caller caller);

 private:
  AuditEvent event(std::string op, std::string user, const Caller& caller) const;
  boost::asio::awaitable<void> commit(const Store::TxnWork& work);
  boost::asio::awaitable<void> refuse(AuditEvent audit, std::string_view code,
                                      const std::string& reason);

  Core core_;
};

}  // namespace authd
