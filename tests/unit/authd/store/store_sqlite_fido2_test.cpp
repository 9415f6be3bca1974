// The FIDO2 part of the SQLite store: credential columns, the signature-counter rule as one
// step of a write transaction, the clone-suspected mark, and the upgrade from schema 1.
#include <doctest/doctest.h>

#include "authd/base64url.h"
#include "authd/store/store_schema.h"
#include "authd/store/store_sqlite.h"
#include "unit/authd/store/store_test_support.h"

using namespace authd;
using authd::test::addCredential;
using authd::test::TempDir;
using authd::test::totpCredential;
using authd::test::writeAndWait;

namespace {

CredentialRecord fido2Credential(const std::string& user, unsigned char idByte,
                                 std::uint32_t signCount = 0) {
  CredentialRecord r;
  r.user = user;
  r.factor = "fido2";
  r.label = "key of " + user;
  r.state = CredentialState::active;
  r.createdAt = 1700000000;
  r.fido2 = Fido2CredentialData{Bytes(48, idByte),
                                Bytes{0xa5, 0x01, 0x02},
                                -7,
                                Bytes(16, 0x42),
                                "packed",
                                "self",
                                signCount,
                                true,
                                Bytes(16, 0x07),
                                false};
  return r;
}

SignCountOutcome advance(Store& store, std::int64_t id, const std::string& user,
                         std::uint32_t count, std::int64_t now = 1700000500) {
  SignCountOutcome outcome = SignCountOutcome::notActive;
  REQUIRE(writeAndWait(store, [&](StoreTxn& txn) {
            outcome = txn.advanceSignCount(id, user, count, now);
          }) == 1);
  return outcome;
}

}  // namespace

TEST_CASE("a FIDO2 credential round-trips every column; TOTP rows have none") {
  TempDir dir;
  SqliteStore store(SqliteOptions{dir.file("authd.db"), 64, 5000});
  const auto written = fido2Credential("alice", 0x11, 9);
  const std::int64_t id = addCredential(store, written);
  const std::int64_t totp = addCredential(store, totpCredential("alice", CredentialState::active));
  auto read = store.credential(id);
  REQUIRE(read);
  REQUIRE(read->fido2);
  const auto& f = *read->fido2;
  CHECK(f.credentialId == written.fido2->credentialId);
  CHECK(f.coseKey == written.fido2->coseKey);
  CHECK(f.algorithm == -7);
  CHECK(f.aaguid == Bytes(16, 0x42));
  CHECK(f.fmt == "packed");
  CHECK(f.attestation == "self");
  CHECK(f.signCount == 9);
  CHECK(f.uvRequired);
  CHECK(f.userHandle == Bytes(16, 0x07));
  CHECK_FALSE(f.cloneSuspected);
  CHECK_FALSE(store.credential(totp)->fido2);
  store.close();
}

TEST_CASE("the signature counter must increase; a regression marks the key") {
  TempDir dir;
  SqliteStore store(SqliteOptions{dir.file("authd.db"), 64, 5000});
  const std::int64_t id = addCredential(store, fido2Credential("alice", 0x11, 5));
  CHECK(advance(store, id, "bob", 6) == SignCountOutcome::notActive);
  CHECK(advance(store, id, "alice", 6, 1700000600) == SignCountOutcome::advanced);
  CHECK(store.credential(id)->fido2->signCount == 6);
  CHECK(store.credential(id)->lastUsedAt == 1700000600);
  CHECK(advance(store, id, "alice", 6) == SignCountOutcome::regressed);
  CHECK(store.credential(id)->fido2->cloneSuspected);
  CHECK(store.credential(id)->fido2->signCount == 6);
  CHECK(advance(store, id, "alice", 100) == SignCountOutcome::suspended);

  bool first = false;
  bool second = true;
  REQUIRE(writeAndWait(store, [&](StoreTxn& txn) {
            first = txn.reinstateCredential(id, "alice");
            second = txn.reinstateCredential(id, "alice");
          }) == 1);
  CHECK(first);
  CHECK_FALSE(second);
  CHECK(advance(store, id, "alice", 7) == SignCountOutcome::advanced);
  store.close();
}

TEST_CASE("keys that always report zero pass the counter rule; zero after non-zero does not") {
  TempDir dir;
  SqliteStore store(SqliteOptions{dir.file("authd.db"), 64, 5000});
  const std::int64_t zero = addCredential(store, fido2Credential("alice", 0x11, 0));
  CHECK(advance(store, zero, "alice", 0) == SignCountOutcome::advanced);
  CHECK(advance(store, zero, "alice", 0) == SignCountOutcome::advanced);
  const std::int64_t counting = addCredential(store, fido2Credential("alice", 0x12, 3));
  CHECK(advance(store, counting, "alice", 0) == SignCountOutcome::regressed);
  store.close();
}

TEST_CASE("revoked and TOTP credentials never pass the counter rule") {
  TempDir dir;
  SqliteStore store(SqliteOptions{dir.file("authd.db"), 64, 5000});
  const std::int64_t id = addCredential(store, fido2Credential("alice", 0x11, 1));
  const std::int64_t totp = addCredential(store, totpCredential("alice", CredentialState::active));
  REQUIRE(writeAndWait(store, [&](StoreTxn& txn) { txn.revokeCredential(id, "alice"); }) == 1);
  CHECK(advance(store, id, "alice", 2) == SignCountOutcome::notActive);
  CHECK(advance(store, totp, "alice", 2) == SignCountOutcome::notActive);
  store.close();
}

TEST_CASE("credential ids are unique across users, revoked ones included") {
  TempDir dir;
  SqliteStore store(SqliteOptions{dir.file("authd.db"), 64, 5000});
  const std::int64_t id = addCredential(store, fido2Credential("alice", 0x11));
  REQUIRE(writeAndWait(store, [&](StoreTxn& txn) { txn.revokeCredential(id, "alice"); }) == 1);
  bool known = false;
  bool unknown = true;
  REQUIRE(writeAndWait(store, [&](StoreTxn& txn) {
            known = txn.fido2IdExists(Bytes(48, 0x11));
            unknown = txn.fido2IdExists(Bytes(48, 0x12));
          }) == 1);
  CHECK(known);
  CHECK_FALSE(unknown);
  // The database enforces it too: a second insert of the same id fails its work item.
  CHECK(writeAndWait(store, [&](StoreTxn& txn) {
          txn.insertCredential(fido2Credential("bob", 0x11));
        }) == 0);
  store.close();
}

TEST_CASE("a version 1 database is upgraded with its TOTP credentials and audit intact") {
  TempDir dir;
  const std::string path = dir.file("authd.db");
  {
    SqliteDb db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 1000);
    migrateSchema(db, schemaMigrations().first(1));
    db.exec(
        "INSERT INTO credentials (user, factor, state, sealed_secret, created_at) "
        "VALUES ('alice', 'totp', 'active', X'01', 5)");
    db.exec(
        "INSERT INTO audit (time, user, op, factor, result, reason, service, peer_uid, peer_pid) "
        "VALUES (5, 'alice', 'enroll', 'totp', 'ok', 'ok', 'authctl', 0, 1)");
  }
  SqliteStore store(SqliteOptions{path, 64, 5000});
  auto rows = store.credentials("alice");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].factor == "totp");
  CHECK_FALSE(rows[0].fido2);
  auto events = store.audit(AuditQuery{});
  REQUIRE(events.size() == 1);
  CHECK(events[0].rhost.empty());
  store.close();
}
