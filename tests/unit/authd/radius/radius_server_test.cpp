// The RADIUS front end's decisions, datagram in, reply out, over a real store and the logon
// pipeline (the dispatcher harness's directory and clock): modes, BlastRADIUS rules, duplicates,
// Status-Server, and that nothing below the listener knows RADIUS.
#include "authd/radius/radius_server.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <fstream>

#include "../api/dispatcher_harness.h"
#include "authd/logon/totp.h"
#include "authd/radius/radius_crypto.h"

namespace authd::radius {
namespace {

using testing::Harness;

constexpr std::string_view kSecret = "a-shared-secret-of-32-characters";

std::string codeAt(const SecretBytes& secret, std::int64_t time, int offset = 0) {
  return totpCode(secret, TotpSpec{}, totpStepAt(time) + offset);
}

struct RadiusHarness {
  explicit RadiusHarness(const std::string& mode, bool requireMa = true) {
    const std::string secretFile = h.dir + "/radius.secret";
    std::ofstream(secretFile) << kSecret << "\n";
    ::chmod(secretFile.c_str(), 0600);
    h.config.radius.clients = {{"gw", "127.0.0.0/8", secretFile, mode, requireMa, true}};
    h.directory.passwords["alice"] = "alice-pw";
    server = std::make_unique<RadiusServer>(
        Core{*h.store, h.directory, h.box, [this] { return h.now.load(); }, systemRandom(),
             h.config, h.pool, h.fido2, nullptr},
        RadiusClients::load(h.config.radius.clients));
  }

  // An Access-Request; the reply parsed, or nullopt when authd stayed silent.
  std::optional<RadiusPacket> ask(const std::vector<RadiusAttribute>& attributes,
                                  bool signedRequest = true, std::string source = "127.0.0.1",
                                  std::uint8_t id = 1, Authenticator ra = nextAuthenticator()) {
    std::optional<Bytes> wire =
        encodeRequest(code::kAccessRequest, id, ra, attributes, bytesOf(kSecret), signedRequest);
    REQUIRE(wire);
    lastWire = *wire;
    return send(*wire, source, Port::kAuthentication, ra);
  }
  std::optional<RadiusPacket> send(const Bytes& wire, const std::string& source, Port port,
                                   const Authenticator& ra) {
    auto future = boost::asio::co_spawn(
        h.io, server->handle({{wire.data(), wire.size()}, source, 40000, port}),
        boost::asio::use_future);
    std::optional<Bytes> reply = future.get();
    if (!reply) return std::nullopt;
    lastReply = *reply;
    ParsedPacket parsed = parseRadiusPacket(*reply);
    REQUIRE(parsed.ok());
    CHECK(verifyResponseAuthenticator(parsed.wire, ra, bytesOf(kSecret)));
    CHECK(parsed.packet.attributes.front().type == attr::kMessageAuthenticator);
    // An Accounting-Response to an Accounting-Request is signed over zeroes (radclient checks).
    const bool accounting =
        parsed.packet.code == code::kAccountingResponse && wire[0] == code::kAccountingRequest;
    CHECK(replyMessageAuthenticator(parsed.wire, accounting ? Authenticator{} : ra,
                                    bytesOf(kSecret)) == MessageAuthenticatorState::kValid);
    return parsed.packet;
  }
  std::vector<RadiusAttribute> login(const std::string& user, std::string_view typed,
                                     const Authenticator& ra) {
    std::optional<Bytes> hidden = encodeUserPassword(bytesOf(typed), bytesOf(kSecret), ra);
    REQUIRE(hidden);
    return {{attr::kUserName, Bytes(user.begin(), user.end())}, {attr::kUserPassword, *hidden}};
  }
  static Authenticator nextAuthenticator() {
    static std::uint8_t n = 0;
    Authenticator a{};
    a.fill(++n);
    return a;
  }

  Harness h;
  std::unique_ptr<RadiusServer> server;
  Bytes lastWire;
  Bytes lastReply;
};

std::string replyMessage(const RadiusPacket& p) {
  const RadiusAttribute* a = findAttribute(p, attr::kReplyMessage);
  return a == nullptr ? "" : std::string(a->value.begin(), a->value.end());
}

}  // namespace

TEST_CASE("radius append: password and code in one field, through the logon pipeline") {
  RadiusHarness r("append");
  SecretBytes secret = r.h.enroll("alice");
  Authenticator ra = RadiusHarness::nextAuthenticator();
  auto reply =
      r.ask(r.login("alice", "alice-pw" + codeAt(secret, r.h.now), ra), true, "127.0.0.1", 1, ra);
  REQUIRE(reply);
  CHECK(reply->code == code::kAccessAccept);
  CHECK(r.h.lastAuditReason("alice") == "ok");
  CHECK(r.server->counters().accepts.load() == 1);

  ra = RadiusHarness::nextAuthenticator();
  reply =
      r.ask(r.login("alice", "alice-pw" + codeAt(secret, r.h.now), ra), true, "127.0.0.1", 2, ra);
  REQUIRE(reply);
  CHECK(reply->code == code::kAccessReject);
  CHECK(r.h.lastAuditReason("alice") == "replayed");
  CHECK(replyMessage(*reply) == kMsgRejected);

  const int checksBefore = r.h.directory.passwordChecks.load();
  ra = RadiusHarness::nextAuthenticator();
  reply = r.ask(r.login("alice", "wrong-pw" + codeAt(secret, r.h.now, 1), ra), true, "127.0.0.1", 3,
                ra);
  REQUIRE(reply);
  CHECK(reply->code == code::kAccessReject);
  CHECK(r.h.lastAuditReason("alice") == "wrong_password");
  CHECK(r.h.directory.passwordChecks.load() == checksBefore + 1);

  ra = RadiusHarness::nextAuthenticator();
  reply = r.ask(r.login("alice", "alice-pw000000", ra), true, "127.0.0.1", 4, ra);
  REQUIRE(reply);
  CHECK(reply->code == code::kAccessReject);
  CHECK(r.h.lastAuditReason("alice") == "wrong_code");
  CHECK(r.h.directory.passwordChecks.load() == checksBefore + 1);  // no code, no bind
}

TEST_CASE("radius append: a code alone, or a password ending in letters, is malformed") {
  RadiusHarness r("append");
  SecretBytes secret = r.h.enroll("alice");
  Authenticator ra = RadiusHarness::nextAuthenticator();
  auto reply = r.ask(r.login("alice", codeAt(secret, r.h.now), ra), true, "127.0.0.1", 1, ra);
  REQUIRE(reply);
  CHECK(reply->code == code::kAccessReject);
  CHECK(r.h.lastAuditReason("alice") == "malformed_code");
  ra = RadiusHarness::nextAuthenticator();
  reply = r.ask(r.login("alice", "alice-pw12345x", ra), true, "127.0.0.1", 2, ra);
  REQUIRE(reply);
  CHECK(r.h.lastAuditReason("alice") == "malformed_code");
}

TEST_CASE("radius otp_only: the code is all; the gateway checked the password") {
  RadiusHarness r("otp_only");
  SecretBytes secret = r.h.enroll("alice");
  Authenticator ra = RadiusHarness::nextAuthenticator();
  auto reply = r.ask(r.login("alice", codeAt(secret, r.h.now), ra), true, "127.0.0.1", 1, ra);
  REQUIRE(reply);
  CHECK(reply->code == code::kAccessAccept);
  CHECK(r.h.directory.passwordChecks.load() == 0);
}

TEST_CASE("radius challenge: the password waits in the State until the code matched") {
  RadiusHarness r("challenge");
  SecretBytes secret = r.h.enroll("alice");
  Authenticator ra = RadiusHarness::nextAuthenticator();
  auto challenge = r.ask(r.login("alice", "wrong-pw", ra), true, "127.0.0.1", 1, ra);
  REQUIRE(challenge);
  CHECK(challenge->code == code::kAccessChallenge);
  CHECK(replyMessage(*challenge) == kPromptCode);
  CHECK(r.h.directory.passwordChecks.load() == 0);  // round 1 asks nobody
  const RadiusAttribute* state = findAttribute(*challenge, attr::kState);
  REQUIRE(state != nullptr);
  CHECK(state->value.size() == 16);

  // Round 2 with a wrong code: refused without asking the directory.
  ra = RadiusHarness::nextAuthenticator();
  auto attrs = r.login("alice", "000000", ra);
  attrs.push_back(*state);
  auto reply = r.ask(attrs, true, "127.0.0.1", 2, ra);
  REQUIRE(reply);
  CHECK(reply->code == code::kAccessReject);
  CHECK(r.h.directory.passwordChecks.load() == 0);

  // The State was used up by that try.
  ra = RadiusHarness::nextAuthenticator();
  attrs = r.login("alice", codeAt(secret, r.h.now), ra);
  attrs.push_back(*state);
  reply = r.ask(attrs, true, "127.0.0.1", 3, ra);
  REQUIRE(reply);
  CHECK(reply->code == code::kAccessReject);
  CHECK(replyMessage(*reply) == kMsgChallengeExpired);
  CHECK(r.h.lastAuditReason("alice") == "challenge_unknown");

  // A fresh round with the right password.
  ra = RadiusHarness::nextAuthenticator();
  challenge = r.ask(r.login("alice", "alice-pw", ra), true, "127.0.0.1", 4, ra);
  REQUIRE(challenge);
  ra = RadiusHarness::nextAuthenticator();
  attrs = r.login("alice", codeAt(secret, r.h.now), ra);
  attrs.push_back(*findAttribute(*challenge, attr::kState));
  reply = r.ask(attrs, true, "127.0.0.1", 5, ra);
  REQUIRE(reply);
  CHECK(reply->code == code::kAccessAccept);
  CHECK(r.h.directory.passwordChecks.load() == 1);
}

TEST_CASE("radius challenge: a State expires and serves only its user") {
  RadiusHarness r("challenge");
  SecretBytes secret = r.h.enroll("alice");
  r.h.enroll("bob");
  r.h.directory.passwords["bob"] = "bob-pw";
  Authenticator ra = RadiusHarness::nextAuthenticator();
  auto challenge = r.ask(r.login("bob", "bob-pw", ra), true, "127.0.0.1", 1, ra);
  REQUIRE(challenge);
  ra = RadiusHarness::nextAuthenticator();
  auto attrs = r.login("alice", codeAt(secret, r.h.now), ra);
  attrs.push_back(*findAttribute(*challenge, attr::kState));
  auto reply = r.ask(attrs, true, "127.0.0.1", 2, ra);
  REQUIRE(reply);
  CHECK(reply->code == code::kAccessReject);

  ra = RadiusHarness::nextAuthenticator();
  challenge = r.ask(r.login("alice", "alice-pw", ra), true, "127.0.0.1", 3, ra);
  REQUIRE(challenge);
  r.h.now += r.h.config.radius.stateTtl + 1;
  ra = RadiusHarness::nextAuthenticator();
  attrs = r.login("alice", codeAt(secret, r.h.now), ra);
  attrs.push_back(*findAttribute(*challenge, attr::kState));
  reply = r.ask(attrs, true, "127.0.0.1", 4, ra);
  REQUIRE(reply);
  CHECK(replyMessage(*reply) == kMsgChallengeExpired);
}

TEST_CASE("radius: a retransmission gets the same reply and is not evaluated again") {
  RadiusHarness r("append");
  SecretBytes secret = r.h.enroll("alice");
  Authenticator ra = RadiusHarness::nextAuthenticator();
  auto first =
      r.ask(r.login("alice", "alice-pw" + codeAt(secret, r.h.now), ra), true, "127.0.0.1", 9, ra);
  REQUIRE(first);
  CHECK(first->code == code::kAccessAccept);
  const Bytes firstReply = r.lastReply;
  auto again = r.send(r.lastWire, "127.0.0.1", Port::kAuthentication, ra);
  REQUIRE(again);
  CHECK(again->code == code::kAccessAccept);  // not "replayed"
  CHECK(r.lastReply == firstReply);
  CHECK(r.server->counters().duplicates.load() == 1);
  CHECK(r.server->counters().accepts.load() == 1);
}

TEST_CASE("radius: BlastRADIUS rules and silent drops") {
  SUBCASE("require_message_authenticator drops an unsigned request") {
    RadiusHarness r("append");
    r.h.enroll("alice");
    Authenticator ra = RadiusHarness::nextAuthenticator();
    CHECK_FALSE(r.ask(r.login("alice", "alice-pw123456", ra), false, "127.0.0.1", 1, ra));
    CHECK(r.server->counters().missingMessageAuthenticator.load() == 1);
  }
  SUBCASE("limit_proxy_state drops unsigned requests with Proxy-State, answers the others") {
    RadiusHarness r("append", false);
    SecretBytes secret = r.h.enroll("alice");
    Authenticator ra = RadiusHarness::nextAuthenticator();
    auto attrs = r.login("alice", "alice-pw" + codeAt(secret, r.h.now), ra);
    attrs.push_back({attr::kProxyState, {1, 2, 3}});
    CHECK_FALSE(r.ask(attrs, false, "127.0.0.1", 1, ra));
    attrs.pop_back();
    auto reply = r.ask(attrs, false, "127.0.0.1", 2, ra);
    REQUIRE(reply);
    CHECK(reply->code == code::kAccessAccept);
  }
  SUBCASE("Proxy-State comes back in order") {
    RadiusHarness r("append");
    r.h.enroll("alice");
    Authenticator ra = RadiusHarness::nextAuthenticator();
    auto attrs = r.login("alice", "alice-pw123456", ra);
    attrs.push_back({attr::kProxyState, {1}});
    attrs.push_back({attr::kProxyState, {2}});
    auto reply = r.ask(attrs, true, "127.0.0.1", 1, ra);
    REQUIRE(reply);
    std::vector<Bytes> echoed;
    for (const auto& a : reply->attributes) {
      if (a.type == attr::kProxyState) echoed.push_back(a.value);
    }
    CHECK(echoed == std::vector<Bytes>{{1}, {2}});
  }
  SUBCASE("unknown source, wrong secret, garbage: no answer, counted") {
    RadiusHarness r("append");
    Authenticator ra = RadiusHarness::nextAuthenticator();
    CHECK_FALSE(r.ask(r.login("alice", "x123456", ra), true, "192.0.2.1", 1, ra));
    CHECK(r.server->counters().unknownClient.load() == 1);
    std::optional<Bytes> forged =
        encodeRequest(code::kAccessRequest, 2, ra, {}, bytesOf("another-secret-0123456789"), true);
    REQUIRE(forged);
    CHECK_FALSE(r.send(*forged, "127.0.0.1", Port::kAuthentication, ra));
    const Bytes garbage{1, 2, 0, 3};
    CHECK_FALSE(r.send(garbage, "127.0.0.1", Port::kAuthentication, ra));
    CHECK(r.server->counters().malformed.load() == 1);
    CHECK(r.server->counters().refused.load() == 1);
  }
  SUBCASE("an Access-Request on the accounting port is refused") {
    RadiusHarness r("append");
    Authenticator ra = RadiusHarness::nextAuthenticator();
    std::optional<Bytes> wire = encodeRequest(
        code::kAccessRequest, 1, ra, r.login("alice", "x123456", ra), bytesOf(kSecret), true);
    REQUIRE(wire);
    CHECK_FALSE(r.send(*wire, "127.0.0.1", Port::kAccounting, ra));
  }
}

TEST_CASE("radius: Status-Server is answered on both ports, never cached") {
  RadiusHarness r("append");
  Authenticator ra = RadiusHarness::nextAuthenticator();
  std::optional<Bytes> wire = encodeRequest(code::kStatusServer, 1, ra, {}, bytesOf(kSecret), true);
  REQUIRE(wire);
  auto reply = r.send(*wire, "127.0.0.1", Port::kAuthentication, ra);
  REQUIRE(reply);
  CHECK(reply->code == code::kAccessAccept);
  reply = r.send(*wire, "127.0.0.1", Port::kAccounting, ra);
  REQUIRE(reply);
  CHECK(reply->code == code::kAccountingResponse);
  CHECK(r.server->counters().statusServer.load() == 2);
  CHECK(r.server->counters().duplicates.load() == 0);
}

TEST_CASE("radius: the directory down means no answer, and a retransmission is evaluated afresh") {
  RadiusHarness r("append");
  SecretBytes secret = r.h.enroll("alice");
  r.h.directory.down = true;
  Authenticator ra = RadiusHarness::nextAuthenticator();
  CHECK_FALSE(
      r.ask(r.login("alice", "alice-pw" + codeAt(secret, r.h.now), ra), true, "127.0.0.1", 1, ra));
  CHECK(r.server->counters().errors.load() == 1);
  r.h.directory.down = false;
  auto reply = r.send(r.lastWire, "127.0.0.1", Port::kAuthentication, ra);
  REQUIRE(reply);
  CHECK(reply->code == code::kAccessAccept);
}

RadiusAttribute integerAttribute(std::uint8_t type, std::uint32_t value) {
  return {type,
          Bytes{static_cast<unsigned char>(value >> 24), static_cast<unsigned char>(value >> 16),
                static_cast<unsigned char>(value >> 8), static_cast<unsigned char>(value)}};
}

RadiusAttribute textOf(std::uint8_t type, std::string_view text) {
  return {type, Bytes(text.begin(), text.end())};
}

TEST_CASE("radius accounting: recorded durably, then acknowledged; incomplete ones are not") {
  RadiusHarness r("append");
  auto account = [&](std::vector<RadiusAttribute> attributes) {
    std::optional<Bytes> wire = encodeAccountingRequest(3, attributes, bytesOf(kSecret));
    REQUIRE(wire);
    Authenticator ra{};
    std::copy_n(wire->begin() + kAuthenticatorOffset, ra.size(), ra.begin());
    return r.send(*wire, "127.0.0.1", Port::kAccounting, ra);
  };
  auto reply = account({integerAttribute(attr::kAcctStatusType, 1),
                        textOf(attr::kAcctSessionId, "s1"),
                        textOf(attr::kUserName, "alice"),
                        {attr::kNasIpAddress, Bytes{192, 0, 2, 9}}});
  REQUIRE(reply);
  CHECK(reply->code == code::kAccountingResponse);
  CHECK(r.h.store->openSessionCount() == 1);
  std::vector<SessionRecord> sessions = r.h.store->sessions(SessionQuery{});
  REQUIRE(sessions.size() == 1);
  CHECK(sessions[0].user == "alice");
  CHECK(sessions[0].client == "gw");
  CHECK(sessions[0].nasIp == "192.0.2.9");

  CHECK_FALSE(
      account({integerAttribute(attr::kAcctStatusType, 1), textOf(attr::kUserName, "bob")}));
  CHECK_FALSE(account({textOf(attr::kAcctSessionId, "s2"), textOf(attr::kUserName, "bob")}));
  reply = account({integerAttribute(attr::kAcctStatusType, 2), textOf(attr::kAcctSessionId, "s1"),
                   textOf(attr::kUserName, "alice")});
  REQUIRE(reply);
  CHECK(r.h.store->openSessionCount() == 0);
  CHECK(r.server->counters().accountingResponses.load() == 2);
}

}  // namespace authd::radius
