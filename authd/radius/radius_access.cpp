#include "authd/radius/radius_access.h"

#include <algorithm>
#include <boost/asio/use_awaitable.hpp>

#include "authd/base/async.h"
#include "authd/directory/account_lookup.h"
#include "authd/logon/policy.h"
#include "authd/radius/radius_attributes.h"
#include "authd/radius/radius_crypto.h"

namespace authd::radius {

namespace {

constexpr std::size_t kMaxAuditText = 64;
constexpr std::size_t kMinStatesPerClient = 64;

std::string textAttribute(const RadiusPacket& packet, std::uint8_t type) {
  return attributeText(packet, type, kMaxAuditText);
}

std::string nasOf(const RadiusPacket& packet, const std::string& sourceAddress) {
  if (std::string id = textAttribute(packet, attr::kNasIdentifier); !id.empty()) return id;
  if (std::string ip = attributeAddress(packet, attr::kNasIpAddress, AF_INET); !ip.empty()) {
    return ip;
  }
  return sourceAddress;
}

// A user name as the directory gets it: 1..253 octets, no control characters (a NUL would cut
// it short in C calls, a newline would forge log lines).
std::optional<std::string> userNameOf(const RadiusPacket& packet) {
  const RadiusAttribute* a = findAttribute(packet, attr::kUserName);
  if (a == nullptr || a->value.empty()) return std::nullopt;
  for (unsigned char c : a->value) {
    if (c < 0x20 || c == 0x7f) return std::nullopt;
  }
  return std::string(a->value.begin(), a->value.end());
}

RadiusAttribute textAttributeOf(std::uint8_t type, std::string_view text) {
  return {type, Bytes(text.begin(), text.end())};
}

AccessReply reject(std::string_view message) {
  return {code::kAccessReject, {textAttributeOf(attr::kReplyMessage, message)}};
}

std::string asString(const SecretBytes& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

}  // namespace

Caller radiusCaller(const RadiusClient& client, const RadiusPacket& packet,
                    const std::string& sourceAddress) {
  Caller caller;
  caller.service = "radius:" + client.name;
  caller.device = nasOf(packet, sourceAddress);
  caller.rhost = textAttribute(packet, attr::kCallingStationId);
  caller.trusted = true;
  return caller;
}

AccessHandler::AccessHandler(Core core, std::size_t clientCount)
    : core_(core),
      totp_(core),
      states_(core.random, static_cast<std::size_t>(core.config.radius.maxStates),
              std::max(kMinStatesPerClient, static_cast<std::size_t>(core.config.radius.maxStates) /
                                                std::max<std::size_t>(clientCount, 1)),
              core.config.radius.stateTtl) {}

boost::asio::awaitable<AccessReply> AccessHandler::handle(const RadiusClient& client,
                                                          const RadiusPacket& packet,
                                                          const std::string& sourceAddress) {
  const std::optional<std::string> user = userNameOf(packet);
  const RadiusAttribute* hidden = findAttribute(packet, attr::kUserPassword);
  if (!user || hidden == nullptr) co_return reject(kMsgRejected);  // CHAP, EAP: not offered
  std::optional<SecretBytes> typed = decodeUserPassword(
      hidden->value, {client.secret.data(), client.secret.size()}, packet.authenticator);
  Caller caller = radiusCaller(client, packet, sourceAddress);
  if (!typed) {
    co_await auditRefusal(caller, *user, "malformed_password");
    co_return reject(kMsgRejected);
  }
  switch (client.mode) {
    case ClientMode::kAppend: {
      VerifyAnswer answer = co_await totp_.verifyTotpAppended(*user, asString(*typed), caller);
      co_return co_await decided(answer, *user);
    }
    case ClientMode::kOtpOnly: {
      VerifyAnswer answer = co_await totp_.verifyTotp(*user, asString(*typed), caller);
      co_return co_await decided(answer, *user);
    }
    case ClientMode::kChallenge:
      break;
  }
  co_return co_await challengeRound(client, packet, *user, std::move(*typed), std::move(caller));
}

boost::asio::awaitable<AccessReply> AccessHandler::challengeRound(const RadiusClient& client,
                                                                  const RadiusPacket& packet,
                                                                  const std::string& user,
                                                                  SecretBytes typed,
                                                                  Caller caller) {
  const RadiusAttribute* state = findAttribute(packet, attr::kState);
  if (state == nullptr) {
    // Round 1: nothing is checked yet, whatever the account; the password waits for the code.
    std::optional<StateId> id = states_.open(user, client.name, std::move(typed), core_.clock());
    if (!id) {
      co_await auditRefusal(caller, user, "challenges_full");
      co_return reject(kMsgBusy);
    }
    AccessReply reply{code::kAccessChallenge, {}};
    reply.attributes.push_back({attr::kState, Bytes(id->begin(), id->end())});
    reply.attributes.push_back(textAttributeOf(attr::kReplyMessage, kPromptCode));
    reply.attributes.push_back({attr::kPrompt, Bytes{0, 0, 0, 0}});  // No-Echo (RFC 2869 §5.10)
    co_return reply;
  }
  std::optional<SecretBytes> password =
      states_.take(state->value, user, client.name, core_.clock());
  if (!password) {
    co_await auditRefusal(caller, user, "challenge_unknown");
    co_return reject(kMsgChallengeExpired);
  }
  VerifyAnswer answer =
      co_await totp_.verifyTotp(user, asString(typed), std::move(caller), asString(*password));
  co_return co_await decided(answer, user);
}

boost::asio::awaitable<AccessReply> AccessHandler::decided(const VerifyAnswer& answer,
                                                           const std::string& user) {
  if (answer.decision == Decision::locked) co_return reject(kMsgLocked);
  if (answer.decision != Decision::accept) co_return reject(kMsgRejected);
  // The group's network policy for the gateway; the account is in the directory's cache now.
  auto groupAttributes = [this](std::optional<Account> account) {
    std::vector<RadiusAttribute> out;
    if (!account) return out;
    for (const Config::Radius::GroupReply& g : core_.config.radius.groups) {
      if (!inGroup(*account, g.group)) continue;
      if (!g.replyClass.empty()) out.push_back(textAttributeOf(attr::kClass, g.replyClass));
      if (!g.filterId.empty()) out.push_back(textAttributeOf(attr::kFilterId, g.filterId));
      if (!g.framedPool.empty()) out.push_back(textAttributeOf(attr::kFramedPool, g.framedPool));
      break;
    }
    return out;
  };
  AccessReply reply{code::kAccessAccept, {}};
  if (!core_.config.radius.groups.empty()) {
    reply.attributes = co_await withUser(core_.directory, core_.blocking, user, groupAttributes);
  }
  co_return reply;
}

boost::asio::awaitable<void> AccessHandler::auditRefusal(const Caller& caller,
                                                         const std::string& user,
                                                         std::string_view reason) {
  AuditEvent audit = callerAuditEvent(caller, core_.clock(), user, "verify");
  audit.factor = toString(Factor::totp);
  audit.result = toString(Decision::reject);
  audit.reason = std::string(reason);
  Store::TxnWork record = [&](StoreTxn& txn) { txn.appendAudit(audit); };
  const bool committed = co_await asyncWrite(core_.store, record, boost::asio::use_awaitable);
  if (!committed) throw StoreError("the refusal could not be audited");
}

}  // namespace authd::radius
