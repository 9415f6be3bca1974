// The one logon pipeline every factor goes through: account gate, lock check, the factor's own
// check, the directory password, one durable commit. Through the protocol, with a real store,
// the in-memory directory that counts password checks, and real virtual security keys.
#include "authd/logon/logon_pipeline.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "authd/logon/totp.h"
#include "unit/authd/logon/fido2_harness.h"

using namespace authd;
using authd::testing::Fido2Harness;
using authd::testing::Harness;
using nlohmann::json;

namespace {

std::string currentCode(const Harness& h, const SecretBytes& secret, int offset = 0) {
  return totpCode(secret, TotpSpec{}, totpStepAt(h.now) + offset);
}

json verifyTotp(Harness& h, const std::string& user, const std::string& code,
                std::optional<std::string> password = {}) {
  json request = {
      {"op", "verify"}, {"user", user}, {"factor", "totp"}, {"code", code}, {"service", "vpn"}};
  if (password) request["password"] = *password;
  return h.call(request);
}

json lastAudit(Harness& h, const std::string& user) {
  json events = h.call({{"op", "audit"}, {"user", user}, {"limit", 1}})["events"];
  return events.empty() ? json() : events[0];
}

std::vector<std::string> lockedNames(Harness& h) {
  std::vector<std::string> names;
  for (const LockState& l : h.store->listLocks(std::nullopt)) names.push_back(l.user);
  return names;
}

// The directory gives alice a second login name (a multi-valued login attribute): one account.
void addAlias(Harness& h, const std::string& alias) {
  Account copy = h.directory.accounts.at("alice");
  copy.name = alias;
  h.directory.accounts[alias] = copy;
}

}  // namespace

TEST_CASE("reasons and factors have the audit log's words") {
  CHECK(std::string(toString(LogonReason::ok)) == "ok");
  CHECK(std::string(toString(LogonReason::wrongCode)) == "wrong_code");
  CHECK(std::string(toString(LogonReason::challengeUnknown)) == "challenge_unknown");
  CHECK(std::string(toString(LogonReason::passwordCheckUnsupported)) ==
        "password_check_unsupported");
  CHECK(std::string(toString(Factor::totp)) == "totp");
  CHECK(std::string(toString(Factor::fido2)) == "fido2");
  CHECK(std::string(toString(UserVerification::required)) == "required");
}

TEST_CASE("locked: a right code and password reach no directory bind") {
  Harness h;  // locks after 3 failures
  SecretBytes secret = h.enroll("alice");
  h.directory.passwords["alice"] = "s3cret";
  for (int i = 0; i < 3; ++i) verifyTotp(h, "alice", "000000");
  json r = verifyTotp(h, "alice", currentCode(h, secret), "s3cret");
  CHECK(r["result"] == "locked");
  CHECK(h.lastAuditReason("alice") == "locked");
  CHECK(h.directory.passwordChecks == 0);
}

TEST_CASE("locked: a right key signature and password reach no directory bind") {
  Fido2Harness h;  // locks after 3 failures
  REQUIRE(h.enrol("alice", 0)["ok"] == true);
  h.directory.passwords["alice"] = "s3cret";
  h.ring.key(0).faults().tamperSignature = true;
  for (int i = 0; i < 3; ++i) CHECK(h.logon("alice", 0)["result"] != "accept");
  h.ring.key(0).faults().tamperSignature = false;
  json request = h.assertion(h.begin("alice"), "alice", 0);
  request["password"] = "s3cret";
  CHECK(h.call(request)["result"] == "locked");
  CHECK(h.lastAuditReason("alice") == "locked");
  CHECK(h.directory.passwordChecks == 0);
}

TEST_CASE("an account at hand in the directory's cache logs on in place, through the same steps") {
  Harness h;  // locks after 3 failures
  SecretBytes secret = h.enroll("alice");
  h.directory.atHand = true;
  CHECK(verifyTotp(h, "alice", currentCode(h, secret))["result"] == "accept");
  CHECK(h.directory.atHandAnswers == 1);
  CHECK(verifyTotp(h, "nobody", "123456")["result"] == "reject");
  CHECK(h.lastAuditReason("nobody") == "unknown_user");
  for (int i = 0; i < 3; ++i) verifyTotp(h, "alice", "000000");
  CHECK(verifyTotp(h, "alice", currentCode(h, secret, 1))["result"] == "locked");
  CHECK(h.lastAuditReason("alice") == "locked");
  CHECK(h.directory.atHandAnswers == 6);
  // A password goes to the directory: never in place, and still not while locked.
  h.directory.passwords["alice"] = "s3cret";
  CHECK(verifyTotp(h, "alice", currentCode(h, secret, 1), "s3cret")["result"] == "locked");
  CHECK(h.directory.atHandAnswers == 6);
  CHECK(h.directory.passwordChecks == 0);
}

TEST_CASE("failures count per account id, not per login name typed") {
  Harness h;  // locks after 3 failures
  SecretBytes secret = h.enroll("alice");
  addAlias(h, "a.smith");
  verifyTotp(h, "alice", "000000");
  verifyTotp(h, "a.smith", "000000");
  CHECK(verifyTotp(h, "alice", "000000")["result"] == "locked");
  CHECK(verifyTotp(h, "a.smith", currentCode(h, secret))["result"] == "locked");
  CHECK(h.call({{"op", "factors"}, {"user", "a.smith"}})["locked"] == true);
  json shown = h.call({{"op", "show"}, {"user", "a.smith"}});
  REQUIRE(shown["locks"].size() == 1);
  CHECK(shown["locks"][0]["user"] == "a.smith");
  CHECK(shown["locks"][0]["failures"] == 3);
  // The admin sees the lock under the name of the last failure, and clears it under any name.
  CHECK(lockedNames(h) == std::vector<std::string>{"alice"});
  json unlocked = h.call({{"op", "unlock"}, {"user", "a.smith"}});
  CHECK(unlocked["cleared_failures"] == 3);
  CHECK(lockedNames(h).empty());
  CHECK(verifyTotp(h, "a.smith", currentCode(h, secret))["result"] == "accept");
}

TEST_CASE("unknown names keep a counter per name typed, locked like a real account") {
  Harness h;  // locks after 3 failures
  verifyTotp(h, "nobody", "000000");
  verifyTotp(h, "nobody", "000000");
  json third = verifyTotp(h, "nobody", "000000");
  CHECK(third["result"] == "locked");
  CHECK(third["retry_after"] == 60);
  json factors = h.call({{"op", "factors"}, {"user", "nobody"}});
  CHECK(factors["locked"] == true);
  CHECK(factors["retry_after"] == 60);
  CHECK(verifyTotp(h, "Nobody", "000000")["result"] == "reject");
  CHECK(h.call({{"op", "unlock"}, {"user", "nobody"}})["cleared_failures"] == 3);
  CHECK(verifyTotp(h, "nobody", "000000")["result"] == "reject");
}

TEST_CASE("lock rows of unknown names expire; an account's do not") {
  Harness h;  // locks after 3 failures, max_delay 240 s
  SecretBytes secret = h.enroll("alice");
  for (int i = 0; i < 5; ++i) verifyTotp(h, "random" + std::to_string(i), "000000");
  verifyTotp(h, "again", "000000");
  verifyTotp(h, "again", "000000");
  verifyTotp(h, "alice", "000000");
  verifyTotp(h, "alice", "000000");
  CHECK(lockedNames(h).size() == 7);

  h.now += 240;  // not yet older than max_delay
  verifyTotp(h, "fresh", "000000");
  CHECK(lockedNames(h).size() == 8);

  h.now += 1;
  verifyTotp(h, "fresh2", "000000");  // the write that removes old rows of unknown names
  CHECK(lockedNames(h) == std::vector<std::string>{"alice", "fresh", "fresh2"});
  // An unknown name starts again; the account keeps counting.
  CHECK(verifyTotp(h, "again", "000000")["result"] == "reject");
  CHECK(verifyTotp(h, "alice", "000000")["result"] == "locked");
  (void)secret;
}

TEST_CASE("an unknown, reused or mismatched challenge is audited but is not the user's guess") {
  Fido2Harness h;  // locks after 3 failures
  REQUIRE(h.enrol("alice", 0)["ok"] == true);
  json request = h.assertion(h.begin("alice"), "alice", 0);
  CHECK(h.call(request)["result"] == "accept");
  for (int i = 0; i < 3; ++i) {
    CHECK(h.call(request)["result"] == "reject");
    CHECK(h.lastAuditReason("alice") == "challenge_unknown");
  }
  for (int i = 0; i < 3; ++i) {
    json other = h.assertion(h.begin("alice"), "alice", 0);
    other["service"] = "login";
    CHECK(h.call(other)["result"] == "reject");
    CHECK(h.lastAuditReason("alice") == "challenge_mismatch");
  }
  CHECK(lockedNames(h).empty());
  CHECK(h.logon("alice", 0)["result"] == "accept");
}

TEST_CASE("a logon refused for want of a factor is audited") {
  Harness h;
  json f = h.call({{"op", "factors"}, {"user", "bob"}, {"service", "sshd"}});
  REQUIRE(f["factors"] == json::array());
  REQUIRE(f["mfa"] == true);
  json event = lastAudit(h, "bob");
  CHECK(event["op"] == "factors");
  CHECK(event["result"] == "reject");
  CHECK(event["reason"] == "no_factor");
  CHECK(event["service"] == "sshd");

  // Not a denial: an account the policy exempts, and one with a factor.
  h.config.policy.mfaGroups = {"telearbeit"};
  h.call({{"op", "factors"}, {"user", "alice"}});
  CHECK(lastAudit(h, "alice").is_null());
  h.config.policy.mfaGroups = {};
  h.enroll("alice");
  h.call({{"op", "factors"}, {"user", "alice"}});
  CHECK(lastAudit(h, "alice")["op"] == "enroll");
  // Unknown names look enrolled: nothing to audit, as for an enrolled account.
  h.call({{"op", "factors"}, {"user", "mallory"}});
  CHECK(lastAudit(h, "mallory").is_null());
}
