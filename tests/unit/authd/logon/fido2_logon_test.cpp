// FIDO2 enrolment and logon through the protocol, with artefacts made by a virtual key through
// the real libfido2 (as authctl and pam_authd do) and verified by authd's relying party.
#include "authd/logon/fido2_logon.h"

#include <doctest/doctest.h>

#include "unit/authd/logon/fido2_harness.h"

using namespace authd;
using authd::testing::decode;
using authd::testing::Fido2Harness;
using nlohmann::json;

TEST_CASE("an enrolled key logs on; factors lists fido2 first") {
  Fido2Harness h;
  h.enroll("alice");  // TOTP too
  json e = h.enrol("alice", 0);
  REQUIRE(e["ok"] == true);
  CHECK(e["fmt"] == "packed");
  CHECK(e["attestation"] == "self");
  CHECK(e["algorithm"] == -7);
  json f = h.call({{"op", "factors"}, {"user", "alice"}});
  CHECK(f["factors"] == json::array({"fido2", "totp"}));

  json r = h.logon("alice", 0);
  CHECK(r["result"] == "accept");
  CHECK(r["credential_id"] == e["credential_id"]);
  CHECK(h.lastAuditReason("alice") == "ok");

  json list = h.call({{"op", "list"}, {"user", "alice"}});
  json key = list["credentials"][1];
  CHECK(key["factor"] == "fido2");
  CHECK(key["sign_count"].get<int>() >= 1);
  CHECK(key["clone_suspected"] == false);
  CHECK(key["last_used"].is_number());
}

TEST_CASE("fido2_begin returns a fresh challenge and the allow list") {
  Fido2Harness h;
  REQUIRE(h.enrol("alice", 0)["ok"] == true);
  REQUIRE(h.enrol("alice", 1)["ok"] == true);
  json a = h.begin("alice");
  json b = h.begin("alice");
  CHECK(a["rp_id"] == "mfa.example.org");
  CHECK(a["allow"].size() == 2);
  CHECK(a["uv"] == "preferred");
  CHECK(decode(a["challenge"]).size() == 32);
  CHECK(a["challenge"] != b["challenge"]);
  // Without keys, and for unknown accounts: the same not_found.
  CHECK(h.begin("bob")["error"] == "not_found");
  CHECK(h.begin("nobody")["message"] == h.begin("bob")["message"]);
}

TEST_CASE("a replayed assertion and a reused challenge are rejected") {
  Fido2Harness h;
  REQUIRE(h.enrol("alice", 0)["ok"] == true);
  json c = h.begin("alice");
  json request = h.assertion(c, "alice", 0);
  CHECK(h.call(request)["result"] == "accept");
  CHECK(h.call(request)["result"] == "reject");
  CHECK(h.lastAuditReason("alice") == "challenge_unknown");
}

TEST_CASE("an expired challenge is rejected") {
  Fido2Harness h;
  REQUIRE(h.enrol("alice", 0)["ok"] == true);
  json c = h.begin("alice");
  json request = h.assertion(c, "alice", 0);
  h.now += 61;
  CHECK(h.call(request)["result"] == "reject");
  CHECK(h.lastAuditReason("alice") == "challenge_unknown");
}

TEST_CASE("a challenge is bound to its user and service") {
  Fido2Harness h;
  REQUIRE(h.enrol("alice", 0)["ok"] == true);
  json c = h.begin("alice");
  json request = h.assertion(c, "alice", 0);
  request["service"] = "login";
  CHECK(h.call(request)["result"] == "reject");
  CHECK(h.lastAuditReason("alice") == "challenge_mismatch");
}

TEST_CASE("a credential of another user is not accepted") {
  Fido2Harness h;
  REQUIRE(h.enrol("alice", 0)["ok"] == true);
  REQUIRE(h.enrol("bob", 1)["ok"] == true);
  json c = h.begin("alice");
  json bobs = h.assertion(h.begin("bob"), "bob", 1);
  json request = h.assertion(c, "alice", 0);
  request["credential"] = bobs["credential"];
  CHECK(h.call(request)["result"] == "reject");
  CHECK(h.lastAuditReason("alice") == "credential_not_allowed");
}

TEST_CASE("faults of the key are rejected with their audit reason") {
  struct Case {
    const char* name;
    void (*arm)(authd::testing::Faults&);
    const char* reason;
  };
  const Case cases[] = {
      {"user presence off", [](auto& f) { f.userPresenceOff = true; }, "user_presence_missing"},
      {"wrong rp", [](auto& f) { f.wrongRp = true; }, "rp_id_mismatch"},
      {"tampered signature", [](auto& f) { f.tamperSignature = true; }, "bad_signature"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    Fido2Harness h;
    REQUIRE(h.enrol("alice", 0)["ok"] == true);
    c.arm(h.ring.key(0).faults());
    CHECK(h.logon("alice", 0)["result"] == "reject");
    CHECK(h.lastAuditReason("alice") == c.reason);
  }
}

TEST_CASE("a counter going backwards marks the key clone-suspected until reinstated") {
  Fido2Harness h;
  json e = h.enrol("alice", 0);
  REQUIRE(h.logon("alice", 0)["result"] == "accept");
  REQUIRE(h.logon("alice", 0)["result"] == "accept");
  h.ring.key(0).faults().counterBackwards = true;
  CHECK(h.logon("alice", 0)["result"] == "reject");
  CHECK(h.lastAuditReason("alice") == "counter_regression");
  h.ring.key(0).faults().counterBackwards = false;
  // Refused from now on, even with a good counter: an admin decides.
  CHECK(h.begin("alice")["error"] == "not_found");
  json list = h.call({{"op", "list"}, {"user", "alice"}});
  CHECK(list["credentials"][0]["clone_suspected"] == true);
  json r =
      h.call({{"op", "fido2_reinstate"}, {"user", "alice"}, {"credential_id", e["credential_id"]}});
  CHECK(r["ok"] == true);
  CHECK(h.lastAuditReason("alice") == "ok");
  // The key's counter is still at the stored value: its next signature would regress again.
  (void)h.assertion(h.begin("alice"), "alice", 0);
  CHECK(h.logon("alice", 0)["result"] == "accept");
  json again =
      h.call({{"op", "fido2_reinstate"}, {"user", "alice"}, {"credential_id", e["credential_id"]}});
  CHECK(again["error"] == "not_found");
}

TEST_CASE("failed key logons count towards the lockout") {
  Fido2Harness h;
  REQUIRE(h.enrol("alice", 0)["ok"] == true);
  h.ring.key(0).faults().tamperSignature = true;
  CHECK(h.logon("alice", 0)["result"] == "reject");
  CHECK(h.logon("alice", 0)["result"] == "reject");
  CHECK(h.logon("alice", 0)["result"] == "locked");
  h.ring.key(0).faults().tamperSignature = false;
  json r = h.logon("alice", 0);
  CHECK(r["result"] == "locked");
  CHECK(r["retry_after"].get<int>() > 0);
}

TEST_CASE("a revoked key can no longer log on") {
  Fido2Harness h;
  json e = h.enrol("alice", 0);
  json c = h.begin("alice");
  json request = h.assertion(c, "alice", 0);
  REQUIRE(
      h.call({{"op", "revoke"}, {"user", "alice"}, {"credential_id", e["credential_id"]}})["ok"] ==
      true);
  CHECK(h.call(request)["result"] == "reject");
  CHECK(h.lastAuditReason("alice") == "credential_not_allowed");
}

TEST_CASE("enrolment: exclude list, challenge reuse, uv=required and unknown users") {
  Fido2Harness h;
  REQUIRE(h.enrol("alice", 0)["ok"] == true);
  // The same key again: the key refuses because of the exclude list.
  CHECK(h.enrol("alice", 0)["fido_error"] == FIDO_ERR_CREDENTIAL_EXCLUDED);
  // uv=required without a PIN on the key: the key answers without UV, authd refuses.
  json uv = h.enrol("alice", 1, {{"uv", "required"}});
  CHECK(uv["ok"] == false);
  CHECK(uv["message"] == "registration refused: user_verification_missing");
  CHECK(h.call({{"op", "fido2_register_begin"}, {"user", "nobody"}})["error"] == "not_found");
  json bad = h.call({{"op", "fido2_register_begin"}, {"user", "alice"}, {"uv", "sometimes"}});
  CHECK(bad["error"] == "bad_request");
}

TEST_CASE("fido2 requests with malformed binary fields are bad requests") {
  Fido2Harness h;
  REQUIRE(h.enrol("alice", 0)["ok"] == true);
  json good = h.assertion(h.begin("alice"), "alice", 0);
  for (const char* field : {"challenge", "credential", "auth_data", "signature"}) {
    CAPTURE(field);
    for (const char* value : {"", "a", "abc=", "ab+c", "ab c"}) {
      json bad = good;
      bad[field] = value;
      CHECK(h.call(bad)["error"] == "bad_request");
    }
  }
  json both = good;
  both["client_data_json"] = "e30";
  CHECK(h.call(both)["error"] == "bad_request");
  json neither = good;
  neither.erase("client_data_hash");
  CHECK(h.call(neither)["error"] == "bad_request");
  json extra = good;
  extra["code"] = "123456";
  CHECK(h.call(extra)["error"] == "bad_request");
  // None of these consumed the challenge: the good request still works.
  CHECK(h.call(good)["result"] == "accept");
}

TEST_CASE("fido2 admin operations need an admin") {
  Fido2Harness h;
  const PeerCredentials user{1000, 1000, 5};
  json r = h.call({{"op", "fido2_register_begin"}, {"user", "alice"}}, user);
  CHECK(r["error"] == "forbidden");
  json b = h.call({{"op", "fido2_begin"}, {"user", "alice"}}, user);
  CHECK(b["error"] == "not_found");  // any local process may start a logon
}

TEST_CASE("group policy: UV required by a rule, and a group that may not use keys") {
  Fido2Harness h;
  REQUIRE(h.enrol("alice", 0)["ok"] == true);
  h.config.policy.groups = {{"gesundheitsamt", {"fido2"}, true, {}, {}},
                            {"extern", {"totp"}, false, {}, {}}};
  CHECK(h.begin("alice")["uv"] == "preferred");
  h.directory.accounts["alice"].groups = {"staff", "gesundheitsamt"};
  CHECK(h.begin("alice")["uv"] == "required");
  // The soft key does not verify the user unless asked with a PIN: refused under the rule.
  CHECK(h.logon("alice", 0)["result"] == "reject");
  CHECK(h.lastAuditReason("alice") == "user_verification_missing");

  h.directory.accounts["alice"].groups = {"staff", "extern"};
  json b = h.begin("alice");
  CHECK(b["error"] == "not_found");
  json f = h.call({{"op", "factors"}, {"user", "alice"}});
  CHECK(f["factors"] == json::array());
}

TEST_CASE("a disabled account cannot start or finish a key logon") {
  Fido2Harness h;
  REQUIRE(h.enrol("alice", 0)["ok"] == true);
  json c = h.begin("alice");
  REQUIRE(c["ok"] == true);
  h.directory.accounts["alice"].disabled = true;
  CHECK(h.call(h.assertion(c, "alice", 0))["result"] == "reject");
  CHECK(h.lastAuditReason("alice") == "account_disabled");
  CHECK(h.begin("alice")["error"] == "not_found");
}

TEST_CASE("a key logon with the directory password: checked after the key, wrong one refused") {
  Fido2Harness h;
  REQUIRE(h.enrol("alice", 0)["ok"] == true);
  h.directory.passwords["alice"] = "s3cret";
  json c = h.begin("alice");
  json request = h.assertion(c, "alice", 0);
  request["password"] = "wrong";
  CHECK(h.call(request)["result"] == "reject");
  CHECK(h.lastAuditReason("alice") == "wrong_password");
  c = h.begin("alice");
  request = h.assertion(c, "alice", 0);
  request["password"] = "s3cret";
  CHECK(h.call(request)["result"] == "accept");
}

TEST_CASE("a group rule that requires UV makes enrolments ask for it unless the admin chose") {
  Fido2Harness h;
  h.config.policy.groups = {{"gesundheitsamt", {"fido2"}, true, {}, {}}};
  h.directory.accounts["alice"].groups = {"gesundheitsamt"};
  h.directory.accounts["alice"].displayName = "Alice Amsel";
  json b = h.call({{"op", "fido2_register_begin"}, {"user", "alice"}});
  CHECK(b["uv"] == "required");
  CHECK(b["user_display_name"] == "Alice Amsel");
  b = h.call({{"op", "fido2_register_begin"}, {"user", "alice"}, {"uv", "discouraged"}});
  CHECK(b["uv"] == "discouraged");
  b = h.call({{"op", "fido2_register_begin"}, {"user", "bob"}});
  CHECK(b["uv"] == "preferred");
}
