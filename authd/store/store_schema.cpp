#include "authd/store/store_schema.h"

#include <string>

namespace authd {

namespace {

// Version 1: TOTP credentials, lockout counters and the audit log.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE credentials (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user TEXT NOT NULL,
  factor TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('pending', 'active', 'revoked')),
  algorithm TEXT NOT NULL DEFAULT '',
  digits INTEGER NOT NULL DEFAULT 0,
  sealed_secret BLOB NOT NULL,
  last_step INTEGER NOT NULL DEFAULT -1,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX credentials_user ON credentials (user);

CREATE TABLE lockout (
  user TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  locked_until INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  user TEXT NOT NULL,
  op TEXT NOT NULL,
  factor TEXT NOT NULL,
  credential_id INTEGER,
  result TEXT NOT NULL,
  reason TEXT NOT NULL,
  service TEXT NOT NULL,
  peer_uid INTEGER NOT NULL,
  peer_pid INTEGER NOT NULL
) STRICT;
CREATE INDEX audit_time ON audit (time);
CREATE INDEX audit_user_time ON audit (user, time);
)sql";

// Version 2: FIDO2 credentials as columns of the credential row (NULL/0 for TOTP rows), the
// credential id unique across all users, and the logon's remote host and terminal in the audit.
constexpr const char* kVersion2 = R"sql(
ALTER TABLE credentials ADD COLUMN fido2_id BLOB;
ALTER TABLE credentials ADD COLUMN cose_key BLOB;
ALTER TABLE credentials ADD COLUMN cose_alg INTEGER NOT NULL DEFAULT 0;
ALTER TABLE credentials ADD COLUMN aaguid BLOB;
ALTER TABLE credentials ADD COLUMN att_fmt TEXT NOT NULL DEFAULT '';
ALTER TABLE credentials ADD COLUMN att_type TEXT NOT NULL DEFAULT '';
ALTER TABLE credentials ADD COLUMN sign_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE credentials ADD COLUMN uv_required INTEGER NOT NULL DEFAULT 0;
ALTER TABLE credentials ADD COLUMN user_handle BLOB;
ALTER TABLE credentials ADD COLUMN clone_suspected INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX credentials_fido2_id ON credentials (fido2_id) WHERE fido2_id IS NOT NULL;
ALTER TABLE audit ADD COLUMN rhost TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN tty TEXT NOT NULL DEFAULT '';
)sql";

// Version 3: credentials belong to the account's stable directory id (entryUUID, objectGUID,
// uid), not to its login name. Older rows keep owner '' and are bound at their next logon. A
// plain index: SQLite cannot use a partial one (WHERE owner != '') for "owner = ?", and every
// verify would scan the table.
constexpr const char* kVersion3 = R"sql(
ALTER TABLE credentials ADD COLUMN owner TEXT NOT NULL DEFAULT '';
CREATE INDEX credentials_owner ON credentials (owner);
)sql";

// Version 4: lockout counters per account (its stable id), not per login name typed, so that an
// account with several login names gets one counter; unknown names keep one per name typed. The
// name shown by `list` and matched by `unlock` sits beside the key, and updated_at lets the
// writer remove counters of unknown names that are stale. Rows of older versions were counted
// per name and carry over as name counters (an account's count in progress starts again).
constexpr const char* kVersion4 = R"sql(
CREATE TABLE lockout_v4 (
  key TEXT PRIMARY KEY,
  user TEXT NOT NULL,
  owner TEXT NOT NULL,
  failures INTEGER NOT NULL,
  locked_until INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO lockout_v4 (key, user, owner, failures, locked_until, updated_at)
  SELECT 'name:' || user, user, '', failures, locked_until, locked_until FROM lockout;
DROP TABLE lockout;
ALTER TABLE lockout_v4 RENAME TO lockout;
CREATE INDEX lockout_user ON lockout (user);
CREATE INDEX lockout_unknown_age ON lockout (updated_at) WHERE owner = '';
)sql";

// Version 5: bounded audit growth. Identical failures within [audit] aggregate_seconds are
// one row with a count; untrusted callers' failures are found by caller (peer_uid).
constexpr const char* kVersion5 = R"sql(
ALTER TABLE audit ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
ALTER TABLE audit ADD COLUMN last_time INTEGER NOT NULL DEFAULT 0;
UPDATE audit SET last_time = time;
CREATE INDEX audit_peer_time ON audit (peer_uid, time);
)sql";

// Version 6: TOTP secrets are sealed with associated data that names the row (id, digits,
// algorithm, owner, user; totp_seal.h), no longer the enrolment name alone. Live TOTP rows of
// older versions are marked 1 and re-sealed once by authd at start-up (it holds the key, SQL
// does not); every row written from now on is sealed the new way.
constexpr const char* kVersion6 = R"sql(
ALTER TABLE credentials ADD COLUMN seal_version INTEGER NOT NULL DEFAULT 2;
UPDATE credentials SET seal_version = 1 WHERE factor = 'totp' AND state != 'revoked';
CREATE INDEX credentials_legacy_seal ON credentials (id) WHERE seal_version = 1;
)sql";

// Version 7: the network peer (its certificate name) that asked, for every audited event.
constexpr const char* kVersion7 = R"sql(
ALTER TABLE audit ADD COLUMN device TEXT NOT NULL DEFAULT '';
)sql";

// Version 8: the offline entries issued to devices, so that they can be withdrawn and listed.
constexpr const char* kVersion8 = R"sql(
CREATE TABLE offline_grants (
  owner TEXT NOT NULL,
  device TEXT NOT NULL,
  user TEXT NOT NULL,
  issued INTEGER NOT NULL,
  expires INTEGER NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (owner, device)
) STRICT, WITHOUT ROWID;
CREATE INDEX offline_grants_user ON offline_grants (user);
)sql";

// Version 9: VPN sessions as RADIUS accounting reports them (RFC 2866), one row per gateway and
// Acct-Session-Id. stopped is NULL while open. The indexes serve the open sessions (count and
// list), the retention purge of closed ones (stopped), and the newest-first listings.
constexpr const char* kVersion9 = R"sql(
CREATE TABLE radius_sessions (
  client TEXT NOT NULL,
  session_id TEXT NOT NULL,
  user TEXT NOT NULL,
  nas_identifier TEXT NOT NULL,
  nas_ip TEXT NOT NULL,
  calling_station TEXT NOT NULL,
  framed_ip TEXT NOT NULL,
  started INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  stopped INTEGER,
  session_time INTEGER NOT NULL,
  input_octets INTEGER NOT NULL,
  output_octets INTEGER NOT NULL,
  stop_cause INTEGER,
  PRIMARY KEY (client, session_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX radius_sessions_stopped ON radius_sessions (stopped);
CREATE INDEX radius_sessions_user ON radius_sessions (user, started);
CREATE INDEX radius_sessions_started ON radius_sessions (started);
)sql";

constexpr Migration kMigrations[] = {
    {1, kVersion1}, {2, kVersion2}, {3, kVersion3}, {4, kVersion4}, {5, kVersion5},
    {6, kVersion6}, {7, kVersion7}, {8, kVersion8}, {9, kVersion9},
};

std::int64_t userVersion(SqliteDb& db) { return db.scalar("PRAGMA user_version"); }

void applyMigration(SqliteDb& db, const Migration& migration) {
  db.exec("BEGIN IMMEDIATE");
  try {
    // Another process may have migrated between our check and our write lock.
    if (userVersion(db) < migration.version) {
      db.exec(migration.sql);
      // PRAGMA takes no bound parameters; the version is our own integer.
      db.exec(("PRAGMA user_version = " + std::to_string(migration.version)).c_str());
    }
    db.exec("COMMIT");
  } catch (...) {
    if (db.inTransaction()) sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

}  // namespace

std::span<const Migration> schemaMigrations() { return kMigrations; }

int schemaVersion() { return kMigrations[std::size(kMigrations) - 1].version; }

void refuseNewerSchema(SqliteDb& db, std::span<const Migration> migrations) {
  const std::int64_t known = migrations.empty() ? 0 : migrations.back().version;
  const std::int64_t current = userVersion(db);
  if (current > known) {
    throw StoreError("database schema version " + std::to_string(current) +
                     " is newer than this authd supports (" + std::to_string(known) +
                     "); refusing to open it");
  }
}

void migrateSchema(SqliteDb& db, std::span<const Migration> migrations) {
  refuseNewerSchema(db, migrations);
  const std::int64_t current = userVersion(db);
  int previous = 0;
  for (const Migration& migration : migrations) {
    if (migration.version <= previous) throw StoreError("schema migrations out of order");
    previous = migration.version;
    if (migration.version > current) applyMigration(db, migration);
  }
}

}  // namespace authd
