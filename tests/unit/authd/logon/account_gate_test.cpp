// Directory and policy checks of a logon through the protocol: disabled accounts, group rules,
// the directory password and an unavailable directory.
#include "authd/logon/account_gate.h"

#include <doctest/doctest.h>

#include "authd/logon/totp.h"
#include "unit/authd/api/dispatcher_harness.h"

using namespace authd;
using authd::testing::Harness;
using nlohmann::json;

namespace {

std::string currentCode(const Harness& h, const SecretBytes& secret) {
  return totpCode(secret, TotpSpec{}, totpStepAt(h.now));
}

json verifyWithPassword(Harness& h, const std::string& user, const std::string& code,
                        const std::string& password) {
  return h.call({{"op", "verify"},
                 {"user", user},
                 {"factor", "totp"},
                 {"code", code},
                 {"password", password},
                 {"service", "vpn"}});
}

}  // namespace

TEST_CASE("a disabled account is rejected like a wrong code and looks like an unknown one") {
  Harness h;
  SecretBytes secret = h.enroll("alice");
  h.directory.accounts["alice"].disabled = true;
  json r = h.verify("alice", currentCode(h, secret));
  CHECK(r["result"] == "reject");
  CHECK(r["message"] == h.verify("nobody", "123456")["message"]);
  CHECK(h.lastAuditReason("alice") == "account_disabled");
  json f = h.call({{"op", "factors"}, {"user", "alice"}});
  CHECK(f["factors"] == h.call({{"op", "factors"}, {"user", "nobody"}})["factors"]);

  h.directory.accounts["alice"].disabled = false;  // enabled again: the same code still works
  CHECK(h.verify("alice", currentCode(h, secret))["result"] == "accept");
}

TEST_CASE("a group that must use security keys cannot log on with a code") {
  Harness h;
  SecretBytes secret = h.enroll("alice");
  h.config.policy.groups = {{"gesundheitsamt", {"fido2"}, true, {}, {}}};
  h.directory.accounts["alice"].groups = {"staff", "gesundheitsamt"};
  CHECK(h.verify("alice", currentCode(h, secret))["result"] == "reject");
  CHECK(h.lastAuditReason("alice") == "factor_not_allowed");
  CHECK(h.call({{"op", "factors"}, {"user", "alice"}})["factors"] == json::array());

  h.directory.accounts["alice"].groups = {"staff"};
  CHECK(h.call({{"op", "factors"}, {"user", "alice"}})["factors"] == json::array({"totp"}));
  CHECK(h.verify("alice", currentCode(h, secret))["result"] == "accept");
}

TEST_CASE("factors tells whether the account must use a second factor") {
  Harness h;
  CHECK(h.call({{"op", "factors"}, {"user", "alice"}})["mfa"] == true);
  h.config.policy.mfaGroups = {"telearbeit"};
  CHECK(h.call({{"op", "factors"}, {"user", "alice"}})["mfa"] == false);
  h.directory.accounts["alice"].groups = {"telearbeit"};
  CHECK(h.call({{"op", "factors"}, {"user", "alice"}})["mfa"] == true);
  CHECK(h.call({{"op", "factors"}, {"user", "nobody"}})["mfa"] == true);
}

TEST_CASE("the directory password: right accepted, wrong refused, checked only after the code") {
  Harness h;
  h.config.lockout.maxFailures = 10;
  SecretBytes secret = h.enroll("alice");
  h.directory.passwords["alice"] = "s3cret";

  CHECK(verifyWithPassword(h, "alice", "000000", "s3cret")["result"] == "reject");
  CHECK(h.lastAuditReason("alice") == "wrong_code");
  CHECK(h.directory.passwordChecks == 0);  // no bind without the second factor

  CHECK(verifyWithPassword(h, "alice", currentCode(h, secret), "wrong")["result"] == "reject");
  CHECK(h.lastAuditReason("alice") == "wrong_password");
  CHECK(h.directory.passwordChecks == 1);
  // The code that came with a wrong password is used up: one code buys one password guess.
  CHECK(verifyWithPassword(h, "alice", currentCode(h, secret), "s3cret")["result"] == "reject");
  CHECK(h.lastAuditReason("alice") == "replayed");

  h.now += 30;
  CHECK(verifyWithPassword(h, "alice", currentCode(h, secret), "s3cret")["result"] == "accept");
  CHECK(verifyWithPassword(h, "alice", currentCode(h, secret), "s3cret")["result"] == "reject");
  CHECK(h.lastAuditReason("alice") == "replayed");
}

TEST_CASE("an empty password is a bad request; a backend without passwords refuses") {
  Harness h;
  SecretBytes secret = h.enroll("alice");
  json r = verifyWithPassword(h, "alice", currentCode(h, secret), "");
  CHECK(r["ok"] == false);
  CHECK(r["error"] == "bad_request");
  CHECK(h.directory.passwordChecks == 0);

  CHECK(verifyWithPassword(h, "alice", currentCode(h, secret), "x")["result"] == "reject");
  CHECK(h.lastAuditReason("alice") == "password_check_unsupported");
}

TEST_CASE("wrong passwords count towards the lockout") {
  Harness h;  // lockout after 3 failures
  SecretBytes secret = h.enroll("alice");
  h.directory.passwords["alice"] = "s3cret";
  for (int i = 0; i < 3; ++i) {
    h.now += 30;
    verifyWithPassword(h, "alice", currentCode(h, secret), "wrong");
  }
  h.now += 30;
  const int binds = h.directory.passwordChecks;
  CHECK(verifyWithPassword(h, "alice", currentCode(h, secret), "s3cret")["result"] == "locked");
  CHECK(h.directory.passwordChecks == binds);  // a locked account reaches no directory bind
}

TEST_CASE("with the directory down every logon fails secure with unavailable") {
  Harness h;
  SecretBytes secret = h.enroll("alice");
  h.directory.down = true;
  json r = h.verify("alice", currentCode(h, secret));
  CHECK(r["ok"] == false);
  CHECK(r["error"] == "unavailable");
  CHECK(r["message"] == "the account directory is unavailable");
  CHECK(h.call({{"op", "factors"}, {"user", "alice"}})["error"] == "unavailable");
  h.directory.down = false;
  CHECK(h.verify("alice", currentCode(h, secret))["result"] == "accept");
}

TEST_CASE("show: the directory entry, the policy that applies and why, audited") {
  Harness h;
  h.enroll("alice");
  h.config.policy.groups = {{"gesundheitsamt", {"fido2"}, true, {}, {}}};
  Account& alice = h.directory.accounts["alice"];
  alice.groups = {"staff", "gesundheitsamt"};
  alice.displayName = "Alice Amsel";
  json r = h.call({{"op", "show"}, {"user", "alice"}});
  REQUIRE(r["ok"] == true);
  CHECK(r["account"]["name"] == "alice");
  CHECK(r["account"]["id"] == "test:alice");
  CHECK(r["account"]["display_name"] == "Alice Amsel");
  CHECK(r["account"]["groups"] == json::array({"staff", "gesundheitsamt"}));
  CHECK(r["policy"]["factors"] == json::array({"fido2"}));
  CHECK(r["policy"]["uv_required"] == true);
  CHECK(r["policy"]["rules"] == json::array({"gesundheitsamt"}));
  CHECK(r["credentials"].size() == 1);
  json events = h.call({{"op", "audit"}, {"user", "alice"}, {"limit", 1}})["events"];
  CHECK(events[0]["op"] == "show");
  CHECK(events[0]["result"] == "ok");

  json missing = h.call({{"op", "show"}, {"user", "nobody"}});
  CHECK(missing["error"] == "not_found");
  json other = h.call({{"op", "show"}, {"user", "alice"}}, {1000, 1000, 42});
  CHECK(other["error"] == "forbidden");
}
