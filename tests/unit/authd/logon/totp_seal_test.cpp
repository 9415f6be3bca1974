// The sealed TOTP secret opens only in the row it was sealed for: its id, digits, algorithm,
// owner and enrolment name. Rows that version 1 sealed (enrolment name only) are re-sealed once
// at start-up; nothing opens them at logon.
#include "authd/logon/totp_seal.h"

#include <doctest/doctest.h>

#include "authd/logon/totp.h"
#include "authd/store/store_sqlite_db.h"
#include "unit/authd/api/dispatcher_harness.h"

using namespace authd;
using authd::testing::Harness;
using nlohmann::json;

namespace {

std::string codeOf(const Harness& h, const SecretBytes& secret, TotpSpec spec = {},
                   int offset = 0) {
  return totpCode(secret, spec, totpStepAt(h.now) + offset);
}

std::int64_t onlyCredential(Harness& h, const std::string& user) {
  auto rows = h.store->listCredentials(user);
  REQUIRE(rows.size() == 1);
  return rows[0].id;
}

SqliteDb openDb(Harness& h) { return SqliteDb(h.dir + "/authd.db", SQLITE_OPEN_READWRITE, 1000); }

// What someone who can write the database (but not read the key) does to a row.
void editRow(Harness& h, const std::string& assignment, std::int64_t id) {
  SqliteDb db = openDb(h);
  db.exec(("UPDATE credentials SET " + assignment + " WHERE id = " + std::to_string(id)).c_str());
}

void putBlob(Harness& h, std::int64_t id, const std::vector<unsigned char>& blob) {
  SqliteDb db = openDb(h);
  Query q = db.query("UPDATE credentials SET sealed_secret = ? WHERE id = ?");
  q.bind(1, std::span<const unsigned char>(blob)).bind(2, id).run();
}

std::int64_t sealVersion(Harness& h, std::int64_t id) {
  SqliteDb db = openDb(h);
  Query q = db.query("SELECT seal_version FROM credentials WHERE id = ?");
  q.bind(1, id);
  REQUIRE(q.step());
  return q.integer(0);
}

// Rewrites a row as version 1 left it: sealed under "authd-totp-v1:" + enrolment name, marked 1.
void makeVersion1(Harness& h, std::int64_t id, const SecretBytes& secret) {
  const auto row = h.store->credential(id);
  REQUIRE(row);
  putBlob(h, id, h.box.seal(secret, "authd-totp-v1:" + row->user));
  editRow(h, "seal_version = 1", id);
}

}  // namespace

TEST_CASE("a sealed secret copied into another credential of the same user does not open") {
  Harness h;
  SecretBytes known = h.enroll("alice");  // e.g. an old phone the attacker kept
  const std::int64_t knownId = onlyCredential(h, "alice");
  const std::vector<unsigned char> knownBlob = h.store->credential(knownId)->sealedSecret;
  REQUIRE(h.call({{"op", "revoke"}, {"user", "alice"}, {"credential_id", knownId}})["ok"] == true);
  h.enroll("alice");
  const std::int64_t currentId = onlyCredential(h, "alice");
  putBlob(h, currentId, knownBlob);
  CHECK(h.verify("alice", codeOf(h, known))["result"] == "reject");
}

TEST_CASE("a credential whose digits or algorithm were edited does not open") {
  Harness h;
  SecretBytes secret = h.enroll("alice");  // sha1, 6 digits
  const std::int64_t id = onlyCredential(h, "alice");
  SUBCASE("digits") {
    editRow(h, "digits = 8", id);
    CHECK(h.verify("alice", codeOf(h, secret, {TotpAlgorithm::sha1, 8}))["result"] == "reject");
  }
  SUBCASE("algorithm") {
    editRow(h, "algorithm = 'sha256'", id);
    CHECK(h.verify("alice", codeOf(h, secret, {TotpAlgorithm::sha256, 6}))["result"] == "reject");
  }
}

TEST_CASE("a credential moved to another owner does not open") {
  Harness h;
  h.directory.add("mallory", 1002, {"staff"});
  SecretBytes mallorys = h.enroll("mallory");
  const std::int64_t id = onlyCredential(h, "mallory");
  // Ownership comes from the owner column: the row now counts as alice's.
  editRow(h, "owner = 'test:alice'", id);
  REQUIRE(h.store->credentials(Principal{"alice", "test:alice"}).size() == 1);
  CHECK(h.verify("alice", codeOf(h, mallorys))["result"] == "reject");
  // Nor by handing it over under alice's name, unbound.
  editRow(h, "owner = '', user = 'alice'", id);
  CHECK(h.verify("alice", codeOf(h, mallorys, {}, 1))["result"] == "reject");
}

TEST_CASE("enrolment seals for the new row, and a renamed account still verifies") {
  Harness h;
  SecretBytes secret = h.enroll("alice");
  const auto row = h.store->credential(onlyCredential(h, "alice"));
  REQUIRE(row);
  CHECK(sealVersion(h, row->id) == 2);
  CHECK(openTotpSecret(h.box, *row).has_value());
  CHECK_FALSE(h.box.open(row->sealedSecret, "authd-totp-v1:alice").has_value());
  Account alice = h.directory.accounts.at("alice");
  h.directory.accounts.erase("alice");
  alice.name = "alice.amsel";
  h.directory.accounts["alice.amsel"] = alice;
  CHECK(h.verify("alice.amsel", codeOf(h, secret))["result"] == "accept");
}

TEST_CASE("a version-1 database is re-sealed once at start and then verifies") {
  Harness h;
  SecretBytes alice = h.enroll("alice");
  SecretBytes bob = h.enroll("bob");
  const std::int64_t aliceId = onlyCredential(h, "alice");
  const std::int64_t bobId = onlyCredential(h, "bob");
  makeVersion1(h, aliceId, alice);
  makeVersion1(h, bobId, bob);
  editRow(h, "owner = ''", bobId);  // from before stable ids: bound at its next logon
  const std::vector<unsigned char> aliceV1 = h.store->credential(aliceId)->sealedSecret;

  // No fallback at logon: a version-1 seal does not open.
  CHECK(h.verify("alice", codeOf(h, alice))["result"] == "reject");

  ResealReport first = resealLegacyTotp(*h.store, h.box);
  CHECK(first.resealed == 2);
  CHECK(first.unreadable == 0);
  CHECK(sealVersion(h, aliceId) == 2);
  CHECK(h.verify("alice", codeOf(h, alice, {}, 1))["result"] == "accept");

  // bob's row is bound by this logon and re-sealed for his id: a rename keeps it working.
  CHECK(h.verify("bob", codeOf(h, bob))["result"] == "accept");
  CHECK(h.store->credential(bobId)->owner == "test:bob");
  Account renamed = h.directory.accounts.at("bob");
  h.directory.accounts.erase("bob");
  renamed.name = "robert";
  h.directory.accounts["robert"] = renamed;
  CHECK(h.verify("robert", codeOf(h, bob, {}, 1))["result"] == "accept");

  const std::vector<unsigned char> aliceV2 = h.store->credential(aliceId)->sealedSecret;
  ResealReport second = resealLegacyTotp(*h.store, h.box);
  CHECK(second.resealed == 0);
  CHECK(second.unreadable == 0);
  CHECK(h.store->credential(aliceId)->sealedSecret == aliceV2);

  // A version-1 blob put back into the re-sealed row does not open either.
  putBlob(h, aliceId, aliceV1);
  CHECK(h.verify("alice", codeOf(h, alice, {}, -1))["result"] == "reject");
}

TEST_CASE("an interrupted re-seal keeps nothing, and the next start completes it") {
  Harness h;
  SecretBytes alice = h.enroll("alice");
  SecretBytes bob = h.enroll("bob");
  const std::int64_t aliceId = onlyCredential(h, "alice");
  const std::int64_t bobId = onlyCredential(h, "bob");
  makeVersion1(h, aliceId, alice);
  makeVersion1(h, bobId, bob);
  const std::vector<unsigned char> aliceV1 = h.store->credential(aliceId)->sealedSecret;

  h.store->failCommitsForTest(1);
  CHECK_THROWS_AS(resealLegacyTotp(*h.store, h.box), StoreError);
  CHECK(h.store->credential(aliceId)->sealedSecret == aliceV1);
  CHECK(sealVersion(h, aliceId) == 1);
  CHECK(sealVersion(h, bobId) == 1);

  ResealReport again = resealLegacyTotp(*h.store, h.box);
  CHECK(again.resealed == 2);
  CHECK(h.verify("alice", codeOf(h, alice))["result"] == "accept");
  CHECK(h.verify("bob", codeOf(h, bob))["result"] == "accept");
}

TEST_CASE("a partly re-sealed database: only version-1 rows are touched, unreadable ones stay") {
  Harness h;
  SecretBytes alice = h.enroll("alice");
  SecretBytes bob = h.enroll("bob");
  h.directory.add("carol", 1003, {"staff"});
  SecretBytes carol = h.enroll("carol");
  const std::int64_t aliceId = onlyCredential(h, "alice");
  const std::int64_t bobId = onlyCredential(h, "bob");
  const std::int64_t carolId = onlyCredential(h, "carol");
  makeVersion1(h, aliceId, alice);  // bob: already version 2
  // carol's version-1 row was sealed under another name: it does not open with version 1.
  putBlob(h, carolId, h.box.seal(carol, "authd-totp-v1:mallory"));
  editRow(h, "seal_version = 1", carolId);
  const std::vector<unsigned char> bobBlob = h.store->credential(bobId)->sealedSecret;
  const std::vector<unsigned char> carolBlob = h.store->credential(carolId)->sealedSecret;

  ResealReport report = resealLegacyTotp(*h.store, h.box);
  CHECK(report.resealed == 1);
  CHECK(report.unreadable == 1);
  CHECK(h.store->credential(bobId)->sealedSecret == bobBlob);
  CHECK(h.store->credential(carolId)->sealedSecret == carolBlob);
  CHECK(sealVersion(h, carolId) == 1);  // retried at the next start (e.g. with the right key)
  CHECK(h.verify("alice", codeOf(h, alice))["result"] == "accept");
  CHECK(h.verify("bob", codeOf(h, bob))["result"] == "accept");
  CHECK(h.verify("carol", codeOf(h, carol))["result"] == "reject");
}
