// Offline entries at the central authd: issued with a device's accepted FIDO2 logon where the
// policy allows it, withdrawn by offline_revoke, and reconciled by a device's offline_sync.
#include "authd/logon/offline_sync.h"

#include <doctest/doctest.h>

#include "authd/daemon/offline_key.h"
#include "authd/offline_entry.h"
#include "unit/authd/logon/fido2_harness.h"

using namespace authd;
using namespace authd::testing;

namespace {

PeerCredentials device(const std::string& name) {
  PeerCredentials peer;
  peer.certificateName = name;
  peer.rateKey = -2;
  return peer;
}

// A device's logon with key `index`, as its agent forwards it.
json deviceLogon(Fido2Harness& h, const std::string& user, std::size_t index,
                 const std::string& name) {
  json c = h.call({{"op", "fido2_begin"}, {"user", user}, {"service", "sshd"}}, device(name));
  REQUIRE(c["ok"] == true);
  return h.call(h.assertion(c, user, index), device(name));
}

offline::EntryCheck readIssued(Fido2Harness& h, const json& answer, const std::string& name) {
  REQUIRE(answer.contains("offline_entry"));
  EVP_PKEY* key = h.offlineKey.get();  // holds the public half as well
  return offline::readEntry(answer["offline_entry"].get<std::string>(), key, name, h.now.load());
}

}  // namespace

TEST_CASE("a device's accepted key logon carries a signed entry when the policy allows it") {
  Fido2Harness h;
  REQUIRE(h.enrol("alice", 0)["ok"] == true);
  CHECK_FALSE(deviceLogon(h, "alice", 0, "nb-017").contains("offline_entry"));  // off by default

  h.config.offline.allowed = true;
  h.config.offline.maxAgeDays = 7;
  json answer = deviceLogon(h, "alice", 0, "nb-017");
  CHECK(answer["result"] == "accept");
  offline::EntryCheck check = readIssued(h, answer, "nb-017");
  REQUIRE(check.entry);
  CHECK(check.entry->user == "alice");
  CHECK(check.entry->expiresAt - check.entry->issuedAt == 7 * 86400);
  REQUIRE(check.entry->keys.size() == 1);
  json listed = h.call({{"op", "list"}, {"user", "alice"}});
  CHECK(check.entry->keys[0].signCount == listed["credentials"][0]["sign_count"].get<unsigned>());
  CHECK(check.entry->keys[0].credentialRow == answer["credential_id"].get<std::int64_t>());
  CHECK(offline::readEntry(answer["offline_entry"].get<std::string>(), h.offlineKey.get(), "nb-018",
                           h.now.load())
            .refusal == offline::Refusal::otherDevice);

  // A local caller (the PAM module on the server itself) never gets one.
  CHECK_FALSE(h.logon("alice", 0).contains("offline_entry"));
  json shown = h.call({{"op", "show"}, {"user", "alice"}});
  REQUIRE(shown["offline_entries"].size() == 1);
  CHECK(shown["offline_entries"][0]["device"] == "nb-017");
  CHECK(shown["policy"]["offline"] == true);
}

TEST_CASE("offline_sync keeps standing entries, drops withdrawn ones and audits offline logons") {
  Fido2Harness h;
  h.config.offline.allowed = true;
  REQUIRE(h.enrol("alice", 0)["ok"] == true);
  json answer = deviceLogon(h, "alice", 0, "nb-017");
  const offline::OfflineEntry entry = readIssued(h, answer, "nb-017").entry.value();
  // The key used once offline: its counter moved on without authd seeing it.
  (void)h.assertion(h.begin("alice"), "alice", 0);
  const std::uint32_t used = entry.keys[0].signCount + 1;
  json sync = {{"op", "offline_sync"},
               {"entries", {{{"user", "alice"}, {"issued", entry.issuedAt}}}},
               {"logons",
                {{{"user", "alice"},
                  {"time", h.now.load() + 3600},  // the device's clock runs ahead
                  {"credential", base64urlEncode(entry.keys[0].credentialId)},
                  {"count", used}}}}};
  json kept = h.call(sync, device("nb-017"));
  CHECK(kept["keep"] == json::array({"alice"}));
  CHECK(kept["logons_recorded"] == 1);
  json audit = h.call({{"op", "audit"}, {"user", "alice"}, {"limit", 1}});
  CHECK(audit["events"][0]["op"] == "offline_logon");
  CHECK(audit["events"][0]["device"] == "nb-017");
  CHECK(audit["events"][0]["time"] == h.now.load());  // never later than authd's clock
  json listed = h.call({{"op", "list"}, {"user", "alice"}});
  CHECK(listed["credentials"][0]["sign_count"] == used);  // raised to the offline counter

  // An older issue time is not the entry authd vouches for.
  sync["entries"][0]["issued"] = entry.issuedAt - 1;
  sync.erase("logons");
  CHECK(h.call(sync, device("nb-017"))["keep"].empty());
  REQUIRE(deviceLogon(h, "alice", 0, "nb-017")["result"] == "accept");  // issued anew
  json fresh = h.call({{"op", "show"}, {"user", "alice"}});
  REQUIRE(fresh["offline_entries"].size() == 1);
  sync["entries"][0]["issued"] = fresh["offline_entries"][0]["issued"];
  CHECK(h.call(sync, device("nb-017"))["keep"] == json::array({"alice"}));

  json revoked = h.call({{"op", "offline_revoke"}, {"user", "alice"}, {"device", "nb-017"}});
  CHECK(revoked["withdrawn"] == 1);
  CHECK(h.call({{"op", "show"}, {"user", "alice"}})["offline_entries"][0]["revoked"] == true);
  CHECK(h.call(sync, device("nb-017"))["keep"].empty());
  CHECK(h.call({{"op", "show"}, {"user", "alice"}})["offline_entries"].empty());  // forgotten
}

TEST_CASE("offline_sync: a device cannot push counters of accounts or keys it was not given") {
  Fido2Harness h;
  h.config.offline.allowed = true;
  REQUIRE(h.enrol("alice", 0)["ok"] == true);
  REQUIRE(h.enrol("bob", 1)["ok"] == true);
  const offline::OfflineEntry entry =
      readIssued(h, deviceLogon(h, "alice", 0, "nb-017"), "nb-017").entry.value();
  json bobKey = h.call({{"op", "list"}, {"user", "bob"}})["credentials"][0];
  auto report = [&](const std::string& user, const Bytes& credential, std::int64_t count) {
    json sync = {{"op", "offline_sync"},
                 {"logons",
                  {{{"user", user},
                    {"time", h.now.load()},
                    {"credential", base64urlEncode(credential)},
                    {"count", count}}}}};
    REQUIRE(h.call(sync, device("nb-017"))["ok"] == true);
    return h.call({{"op", "audit"}, {"user", user}, {"limit", 1}})["events"][0];
  };
  // bob never logged on at nb-017: his counter stays, the report is flagged.
  json flagged = report("bob", decode(bobKey["fido2_id"]), 4'000'000'000);
  CHECK(flagged["reason"] == "offline_unvouched");
  CHECK(h.call({{"op", "list"}, {"user", "bob"}})["credentials"][0]["sign_count"] ==
        bobKey["sign_count"]);
  // alice's own key, but a counter far ahead: recorded, not applied.
  json jump = report("alice", entry.keys[0].credentialId, 4'000'000'000);
  CHECK(jump["reason"] == "offline_counter_jump");
  CHECK(h.call({{"op", "list"}, {"user", "alice"}})["credentials"][0]["sign_count"] ==
        entry.keys[0].signCount);
}

TEST_CASE("offline_sync is for devices only; offline_revoke for admins only") {
  Fido2Harness h;
  json sync = {{"op", "offline_sync"}};
  CHECK(h.call(sync)["error"] == "forbidden");  // root on the local socket
  PeerCredentials admin = device("admin-frank");
  admin.certificateAdmin = true;
  CHECK(h.call(sync, admin)["error"] == "forbidden");
  CHECK(h.call(sync, device("nb-017"))["ok"] == true);
  CHECK(h.call({{"op", "offline_revoke"}, {"user", "alice"}}, device("nb-017"))["error"] ==
        "forbidden");
  CHECK(h.call({{"op", "offline_sync"}, {"entries", 3}}, device("nb-017"))["error"] ==
        "bad_request");
}

TEST_CASE("revoking a key withdraws the account's entries") {
  Fido2Harness h;
  h.config.offline.allowed = true;
  json enrolled = h.enrol("alice", 0);
  REQUIRE(enrolled["ok"] == true);
  REQUIRE(deviceLogon(h, "alice", 0, "nb-017")["result"] == "accept");
  REQUIRE(h.call({{"op", "revoke"},
                  {"user", "alice"},
                  {"credential_id", enrolled["credential_id"]}})["ok"] == true);
  CHECK(h.call({{"op", "show"}, {"user", "alice"}})["offline_entries"][0]["revoked"] == true);
}
