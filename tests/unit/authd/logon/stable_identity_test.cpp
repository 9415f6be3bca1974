// Credentials follow the account's stable directory id, not its login name: a renamed account
// keeps its factors, a new account that reuses a name inherits nothing, and rows stored before
// ids existed are bound to the account that uses them next.
#include <doctest/doctest.h>

#include "authd/logon/totp.h"
#include "authd/logon/totp_seal.h"
#include "authd/store/store_sqlite_db.h"
#include "unit/authd/api/dispatcher_harness.h"

using namespace authd;
using authd::testing::Harness;
using nlohmann::json;

namespace {

std::string currentCode(const Harness& h, const SecretBytes& secret, int offset = 0) {
  return totpCode(secret, TotpSpec{}, totpStepAt(h.now) + offset);
}

// The directory renames `from` to `to`; the entry keeps its id.
void rename(Harness& h, const std::string& from, const std::string& to) {
  Account account = h.directory.accounts.at(from);
  h.directory.accounts.erase(from);
  account.name = to;
  h.directory.accounts[to] = account;
}

std::int64_t aliceCredential(Harness& h) {
  return h.store->credentials(Principal{"alice", "test:alice"}).at(0).id;
}

// Rewrites a row's owner as an older database (or another backend) would have stored it, its
// secret sealed for that owner (as start-up re-sealed it).
void setOwner(Harness& h, std::int64_t credentialId, const std::string& owner,
              const SecretBytes& secret) {
  const auto row = h.store->credential(credentialId);
  REQUIRE(row);
  const std::vector<unsigned char> sealed = h.box.seal(secret, totpSealContext(*row, owner));
  SqliteDb db(h.dir + "/authd.db", SQLITE_OPEN_READWRITE, 1000);
  Query q = db.query("UPDATE credentials SET owner = ?, sealed_secret = ? WHERE id = ?");
  q.bind(1, owner).bind(2, std::span<const unsigned char>(sealed)).bind(3, credentialId).run();
}

}  // namespace

TEST_CASE("a renamed account keeps its authenticator app") {
  Harness h;
  SecretBytes secret = h.enroll("alice");
  rename(h, "alice", "alice.amsel");
  CHECK(h.verify("alice.amsel", currentCode(h, secret))["result"] == "accept");
  CHECK(h.call({{"op", "factors"}, {"user", "alice.amsel"}})["factors"] == json::array({"totp"}));
  json shown = h.call({{"op", "show"}, {"user", "alice.amsel"}});
  REQUIRE(shown["credentials"].size() == 1);
  CHECK(shown["credentials"][0]["user"] == "alice");  // stored under the enrolment name
  CHECK(h.verify("alice", currentCode(h, secret, 1))["result"] == "reject");
  CHECK(h.lastAuditReason("alice") == "unknown_user");
}

TEST_CASE("a new account that reuses a name inherits nothing") {
  Harness h;
  SecretBytes secret = h.enroll("bob");
  h.directory.accounts["bob"].id = "test:bob-the-second";
  CHECK(h.verify("bob", currentCode(h, secret))["result"] == "reject");
  CHECK(h.lastAuditReason("bob") == "no_credential");
  CHECK(h.call({{"op", "factors"}, {"user", "bob"}})["factors"] == json::array());
  CHECK(h.call({{"op", "show"}, {"user", "bob"}})["credentials"].empty());
  // The admin still reaches the old row by the name it was stored under, to revoke it.
  json list = h.call({{"op", "list"}, {"user", "bob"}});
  REQUIRE(list["credentials"].size() == 1);
  json revoked =
      h.call({{"op", "revoke"}, {"user", "bob"}, {"credential_id", list["credentials"][0]["id"]}});
  CHECK(revoked["ok"] == true);
}

TEST_CASE("rows from before stable ids are bound to the account at its next logon") {
  Harness h;
  SecretBytes secret = h.enroll("alice");
  // Make the row look like one written by a version-2 database: no owner.
  const std::int64_t id = aliceCredential(h);
  setOwner(h, id, "", secret);
  CHECK(h.store->credential(id)->owner.empty());
  CHECK(h.verify("alice", currentCode(h, secret))["result"] == "accept");
  CHECK(h.store->credential(id)->owner == "test:alice");
  rename(h, "alice", "alicia");
  CHECK(h.verify("alicia", currentCode(h, secret, 1))["result"] == "accept");
}

TEST_CASE("after a switch of directory backend, credentials carry over by name once") {
  Harness h;
  SecretBytes secret = h.enroll("alice");
  const std::int64_t id = aliceCredential(h);
  setOwner(h, id, "nss:1000", secret);
  CHECK(h.verify("alice", currentCode(h, secret))["result"] == "accept");
  CHECK(h.store->credential(id)->owner == "test:alice");
  // Bound now: a later account with the name (same backend, other id) gets nothing.
  h.directory.accounts["alice"].id = "test:someone-else";
  CHECK(h.verify("alice", currentCode(h, secret, 1))["result"] == "reject");
  CHECK(h.lastAuditReason("alice") == "no_credential");
}

TEST_CASE("failures count per account whatever case the name is typed in") {
  Harness h;  // locks after 3 failures
  SecretBytes secret = h.enroll("alice");
  // A case-insensitive directory (LDAP) finds alice under any spelling.
  h.directory.accounts["Alice"] = h.directory.accounts["alice"];
  h.directory.accounts["ALICE"] = h.directory.accounts["alice"];
  h.verify("alice", "000000");
  h.verify("Alice", "000000");
  h.verify("ALICE", "000000");
  CHECK(h.verify("alice", currentCode(h, secret))["result"] == "locked");
  CHECK(h.verify("Alice", currentCode(h, secret))["result"] == "locked");
}
