#include "authd/store/store_sqlite_queries.h"

#include <algorithm>

#include "authd/fido2/relying_party.h"  // signCountAcceptable: the one counter rule

namespace authd::sql {

namespace {

// Column lists as literals, so each full statement is one literal (the statement cache key).
#define AUTHD_AUDIT_COLUMNS                                                                     \
  "SELECT time, user, op, factor, credential_id, result, reason, service, peer_uid, peer_pid, " \
  "rhost, tty, count, last_time, device FROM audit "
#define AUTHD_CREDENTIAL_COLUMNS                                                              \
  "id, user, factor, label, state, algorithm, digits, sealed_secret, last_step, created_at, " \
  "last_used_at, fido2_id, cose_key, cose_alg, aaguid, att_fmt, att_type, sign_count, "       \
  "uv_required, user_handle, clone_suspected, owner"
// Rows that belong to a Principal (store.h); bound by bindOwner as ?20..?22.
// A row owned under another directory backend ("nss:" after a switch to "ldap:") counts as one
// without an owner.
#define AUTHD_OWNED_BY                                                     \
  "((?20 != '' AND owner = ?20) OR (user = ?21 AND (owner = '' OR ?22 OR " \
  "substr(owner, 1, instr(owner, ':')) != substr(?20, 1, instr(?20, ':')))))"

std::optional<Fido2CredentialData> fido2Columns(const Query& q) {
  if (q.isNull(11)) return std::nullopt;
  Fido2CredentialData f;
  f.credentialId = q.blob(11);
  f.coseKey = q.blob(12);
  f.algorithm = static_cast<int>(q.integer(13));
  f.aaguid = q.blob(14);
  f.fmt = q.text(15);
  f.attestation = q.text(16);
  f.signCount = static_cast<std::uint32_t>(q.integer(17));
  f.uvRequired = q.integer(18) != 0;
  f.userHandle = q.blob(19);
  f.cloneSuspected = q.integer(20) != 0;
  return f;
}

CredentialRecord credentialRow(const Query& q) {
  CredentialRecord r;
  r.id = q.integer(0);
  r.user = q.text(1);
  r.factor = q.text(2);
  r.label = q.text(3);
  auto state = credentialStateFrom(q.text(4));
  if (!state) throw StoreError("credential " + std::to_string(r.id) + " has an unknown state");
  r.state = *state;
  r.algorithm = q.text(5);
  r.digits = static_cast<int>(q.integer(6));
  r.sealedSecret = q.blob(7);
  r.lastStep = q.integer(8);
  r.createdAt = q.integer(9);
  r.lastUsedAt = q.integer(10);
  r.fido2 = fido2Columns(q);
  r.owner = q.text(21);
  return r;
}

std::vector<CredentialRecord> credentialRows(Query& q) {
  std::vector<CredentialRecord> rows;
  while (q.step()) rows.push_back(credentialRow(q));
  return rows;
}

AuditEvent auditRow(const Query& q) {
  AuditEvent e;
  e.time = q.integer(0);
  e.user = q.text(1);
  e.op = q.text(2);
  e.factor = q.text(3);
  if (!q.isNull(4)) e.credentialId = q.integer(4);
  e.result = q.text(5);
  e.reason = q.text(6);
  e.service = q.text(7);
  e.peerUid = q.integer(8);
  e.peerPid = q.integer(9);
  e.rhost = q.text(10);
  e.tty = q.text(11);
  e.count = q.integer(12);
  e.lastTime = q.integer(13);
  e.device = q.text(14);
  return e;
}

bool isFailure(const AuditEvent& e) { return e.result != "accept" && e.result != "ok"; }

// The row a failure of a trusted caller joins: the account's latest event within the window,
// when it is the same failure (a different event in between starts a new row, so the order of
// events stays readable).
std::optional<std::int64_t> sameAsLatestOfAccount(SqliteDb& db, const AuditEvent& e,
                                                  std::int64_t since) {
  Query q = db.query(
      "SELECT id, op, factor, credential_id, result, reason, service, peer_uid, rhost, tty, "
      "device FROM audit WHERE user = ? AND time >= ? ORDER BY id DESC LIMIT 1");
  q.bind(1, e.user).bind(2, since);
  if (!q.step()) return std::nullopt;
  const bool sameCredential =
      q.isNull(3) ? !e.credentialId.has_value() : e.credentialId.value_or(-1) == q.integer(3);
  const bool same = q.text(1) == e.op && q.text(2) == e.factor && sameCredential &&
                    q.text(4) == e.result && q.text(5) == e.reason && q.text(6) == e.service &&
                    q.integer(7) == e.peerUid && q.text(8) == e.rhost && q.text(9) == e.tty &&
                    q.text(10) == e.device;
  return same ? std::optional<std::int64_t>(q.integer(0)) : std::nullopt;
}

// The row a failure of an untrusted caller joins: its latest one with the same operation,
// result and reason, whatever it wrote into free-text fields.
std::optional<std::int64_t> sameFromCaller(SqliteDb& db, const AuditEvent& e, std::int64_t since) {
  Query q = db.query(
      "SELECT id FROM audit WHERE peer_uid = ? AND time >= ? AND op = ? AND result = ? AND "
      "reason = ? ORDER BY id DESC LIMIT 1");
  q.bind(1, e.peerUid).bind(2, since).bind(3, e.op).bind(4, e.result).bind(5, e.reason);
  if (!q.step()) return std::nullopt;
  return q.integer(0);
}

Query& bindOwner(Query& q, const Principal& p) {
  return q.bind(20, p.id).bind(21, p.name).bind(22, std::int64_t{p.byName});
}

}  // namespace

// AUTHD_OWNED_BY as two single-index lookups in one statement: as a plain OR, SQLite answers
// with a multi-index union sorted in a temporary b-tree, which made this read (every logon runs
// it) a large share of a verify's cost. The second half leaves out the rows the first found;
// credentialsOf sorts the few rows by id.
const char* const kCredentialsOfSql =
    "SELECT " AUTHD_CREDENTIAL_COLUMNS
    " FROM credentials WHERE ?20 != '' AND owner = ?20 "
    "UNION ALL SELECT " AUTHD_CREDENTIAL_COLUMNS
    " FROM credentials WHERE user = ?21 AND "
    "(?20 = '' OR owner != ?20) AND (owner = '' OR ?22 OR "
    "substr(owner, 1, instr(owner, ':')) != substr(?20, 1, instr(?20, ':')))";

std::vector<CredentialRecord> credentialsOf(SqliteDb& db, const Principal& user) {
  Query q = db.query(kCredentialsOfSql);
  bindOwner(q, user);
  std::vector<CredentialRecord> rows = credentialRows(q);
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return rows;
}

std::optional<CredentialRecord> credentialById(SqliteDb& db, std::int64_t id) {
  Query q = db.query("SELECT " AUTHD_CREDENTIAL_COLUMNS " FROM credentials WHERE id = ?");
  q.bind(1, id);
  if (!q.step()) return std::nullopt;
  return credentialRow(q);
}

std::vector<CredentialRecord> liveCredentials(SqliteDb& db,
                                              const std::optional<std::string>& user) {
  if (user) {
    Query q = db.query("SELECT " AUTHD_CREDENTIAL_COLUMNS
                       " FROM credentials WHERE user = ? AND state != 'revoked' ORDER BY id");
    q.bind(1, *user);
    return credentialRows(q);
  }
  Query q = db.query("SELECT " AUTHD_CREDENTIAL_COLUMNS
                     " FROM credentials WHERE state != 'revoked' ORDER BY user, id");
  return credentialRows(q);
}

namespace {

// The primary key of a counter: an account by its stable id, an unknown name by the name. The
// prefixes keep a typed name from ever meaning an id.
std::string lockKey(const std::string& user, const std::string& owner) {
  return owner.empty() ? "name:" + user : "id:" + owner;
}

}  // namespace

LockState lockState(SqliteDb& db, const Principal& who) {
  Query q = db.query("SELECT failures, locked_until, updated_at FROM lockout WHERE key = ?");
  q.bind(1, lockKey(who.name, who.id));
  LockState state{who.name, 0, 0, who.id, 0};
  if (q.step()) {
    state.failures = q.integer(0);
    state.lockedUntil = q.integer(1);
    state.updatedAt = q.integer(2);
  }
  return state;
}

std::vector<LockState> failingUsers(SqliteDb& db, const std::optional<std::string>& user) {
  std::vector<LockState> rows;
  auto collect = [&rows](Query& q) {
    while (q.step()) {
      rows.push_back(LockState{q.text(0), q.integer(1), q.integer(2), q.text(3), q.integer(4)});
    }
  };
  if (user) {
    Query q = db.query(
        "SELECT user, failures, locked_until, owner, updated_at FROM lockout "
        "WHERE user = ? AND failures != 0 ORDER BY key");
    q.bind(1, *user);
    collect(q);
    return rows;
  }
  Query q = db.query(
      "SELECT user, failures, locked_until, owner, updated_at FROM lockout "
      "WHERE failures != 0 ORDER BY user, key");
  collect(q);
  return rows;
}

std::vector<AuditEvent> audit(SqliteDb& db, const AuditQuery& query) {
  std::vector<AuditEvent> events;
  if (query.limit <= 0) return events;  // SQLite reads a negative LIMIT as "no limit"
  if (query.user) {
    Query q = db.query(AUTHD_AUDIT_COLUMNS
                       "WHERE user = ? AND time >= ? ORDER BY time DESC, id DESC LIMIT ?");
    q.bind(1, *query.user).bind(2, query.since).bind(3, std::int64_t{query.limit});
    while (q.step()) events.push_back(auditRow(q));
    return events;
  }
  Query q = db.query(AUTHD_AUDIT_COLUMNS "WHERE time >= ? ORDER BY time DESC, id DESC LIMIT ?");
  q.bind(1, query.since).bind(2, std::int64_t{query.limit});
  while (q.step()) events.push_back(auditRow(q));
  return events;
}

void putLockState(SqliteDb& db, const LockState& state) {
  const std::string key = lockKey(state.user, state.owner);
  // A clean slate is the absence of a row, which keeps the table as small as the locked users.
  if (state.failures == 0 && state.lockedUntil == 0) {
    Query q = db.query("DELETE FROM lockout WHERE key = ?");
    q.bind(1, key).run();
    return;
  }
  Query q = db.query(
      "INSERT INTO lockout (key, user, owner, failures, locked_until, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (key) DO UPDATE SET user = excluded.user, failures = excluded.failures, "
      "locked_until = excluded.locked_until, updated_at = excluded.updated_at");
  q.bind(1, key).bind(2, state.user).bind(3, state.owner).bind(4, state.failures);
  q.bind(5, state.lockedUntil).bind(6, state.updatedAt).run();
}

std::int64_t clearLocks(SqliteDb& db, const Principal& who) {
  // An account's own counter by its id, whatever name it was last shown under; "" matches none.
  const std::string idKey = who.id.empty() ? std::string() : lockKey(who.name, who.id);
  std::int64_t cleared = 0;
  {
    Query q = db.query("SELECT coalesce(max(failures), 0) FROM lockout WHERE user = ? OR key = ?");
    q.bind(1, who.name).bind(2, idKey);
    if (q.step()) cleared = q.integer(0);
  }
  Query q = db.query("DELETE FROM lockout WHERE user = ? OR key = ?");
  q.bind(1, who.name).bind(2, idKey).run();
  return cleared;
}

std::int64_t forgetStaleLocks(SqliteDb& db, std::int64_t before, std::int64_t now, int limit) {
  // Through the partial index of unknown names by age: the cost is bounded by `limit`.
  Query q = db.query(
      "DELETE FROM lockout WHERE key IN (SELECT key FROM lockout WHERE owner = '' "
      "AND updated_at < ? AND locked_until <= ? ORDER BY updated_at LIMIT ?)");
  q.bind(1, before).bind(2, now).bind(3, std::int64_t{limit}).run();
  return db.changes();
}

bool claimStep(SqliteDb& db, std::int64_t credentialId, const Principal& user, std::int64_t step,
               std::int64_t now, const std::vector<unsigned char>& boundSecret) {
  // A row from before stable ids is bound to the account that just used it, and its secret
  // re-sealed for the new owner in the same statement; without that blob it is not claimed.
  // (SET expressions read the row as it was before the update.)
  Query q = db.query(
      "UPDATE credentials SET last_step = ?1, last_used_at = ?2, "
      "sealed_secret = CASE WHEN ?20 != '' AND owner != ?20 THEN ?4 ELSE sealed_secret END, "
      "owner = CASE WHEN ?20 != '' THEN ?20 ELSE owner END "
      "WHERE id = ?3 AND state = 'active' AND last_step < ?1 "
      "AND (?20 = '' OR owner = ?20 OR length(?4) > 0) AND " AUTHD_OWNED_BY);
  q.bind(1, step).bind(2, now).bind(3, credentialId);
  q.bind(4, std::span<const unsigned char>(boundSecret));
  bindOwner(q, user).run();
  return db.changes() == 1;
}

bool putSealedSecret(SqliteDb& db, std::int64_t credentialId,
                     const std::vector<unsigned char>& sealed) {
  Query q = db.query(
      "UPDATE credentials SET sealed_secret = ?1, seal_version = 2 "
      "WHERE id = ?2 AND factor = 'totp' AND state != 'revoked'");
  q.bind(1, std::span<const unsigned char>(sealed)).bind(2, credentialId).run();
  return db.changes() == 1;
}

std::vector<CredentialRecord> legacySealedCredentials(SqliteDb& db) {
  // Through the partial index credentials_legacy_seal: empty once every row is re-sealed.
  Query q = db.query("SELECT " AUTHD_CREDENTIAL_COLUMNS
                     " FROM credentials WHERE seal_version = 1 AND factor = 'totp' "
                     "AND state != 'revoked' ORDER BY id");
  return credentialRows(q);
}

namespace {

void bindFido2(Query& q, int first, const std::optional<Fido2CredentialData>& f) {
  if (!f) {
    // TOTP rows: NULL blobs (the unique index ignores them), the columns' defaults elsewhere.
    const std::optional<std::int64_t> null;
    q.bind(first, null).bind(first + 1, null).bind(first + 2, std::int64_t{0});
    q.bind(first + 3, null).bind(first + 4, std::string_view()).bind(first + 5, std::string_view());
    q.bind(first + 6, std::int64_t{0}).bind(first + 7, std::int64_t{0});
    q.bind(first + 8, null).bind(first + 9, std::int64_t{0});
    return;
  }
  q.bind(first, std::span<const unsigned char>(f->credentialId))
      .bind(first + 1, std::span<const unsigned char>(f->coseKey))
      .bind(first + 2, std::int64_t{f->algorithm})
      .bind(first + 3, std::span<const unsigned char>(f->aaguid))
      .bind(first + 4, f->fmt)
      .bind(first + 5, f->attestation)
      .bind(first + 6, std::int64_t{f->signCount})
      .bind(first + 7, std::int64_t{f->uvRequired})
      .bind(first + 8, std::span<const unsigned char>(f->userHandle))
      .bind(first + 9, std::int64_t{f->cloneSuspected});
}

}  // namespace

std::int64_t insertCredential(SqliteDb& db, const CredentialRecord& r) {
  Query q = db.query(
      "INSERT INTO credentials (user, factor, label, state, algorithm, digits, sealed_secret, "
      "last_step, created_at, last_used_at, fido2_id, cose_key, cose_alg, aaguid, att_fmt, "
      "att_type, sign_count, uv_required, user_handle, clone_suspected, owner) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  bindFido2(q, 11, r.fido2);
  q.bind(21, r.owner);
  q.bind(1, r.user)
      .bind(2, r.factor)
      .bind(3, r.label)
      .bind(4, std::string_view(toString(r.state)))
      .bind(5, r.algorithm)
      .bind(6, std::int64_t{r.digits})
      .bind(7, std::span<const unsigned char>(r.sealedSecret))
      .bind(8, r.lastStep)
      .bind(9, r.createdAt)
      .bind(10, r.lastUsedAt)
      .run();
  return db.lastInsertId();
}

bool activateCredential(SqliteDb& db, std::int64_t credentialId, const Principal& user,
                        std::int64_t step, std::int64_t now) {
  Query q = db.query(
      "UPDATE credentials SET state = 'active', last_step = ?1, last_used_at = ?2 "
      "WHERE id = ?3 AND state = 'pending' AND " AUTHD_OWNED_BY);
  q.bind(1, step).bind(2, now).bind(3, credentialId);
  bindOwner(q, user).run();
  return db.changes() == 1;
}

bool revokeCredential(SqliteDb& db, std::int64_t credentialId, const Principal& user) {
  // Overwrite the secret in place before dropping it; secure_delete then zeroes freed space.
  Query wipe = db.query(
      "UPDATE credentials SET sealed_secret = zeroblob(length(sealed_secret)) "
      "WHERE id = ?1 AND state != 'revoked' AND " AUTHD_OWNED_BY);
  wipe.bind(1, credentialId);
  bindOwner(wipe, user).run();
  if (db.changes() != 1) return false;
  Query q = db.query("UPDATE credentials SET state = 'revoked', sealed_secret = X'' WHERE id = ?");
  q.bind(1, credentialId).run();
  return db.changes() == 1;
}

void appendAudit(SqliteDb& db, const AuditEvent& e, int aggregateSeconds) {
  if (aggregateSeconds > 0 && isFailure(e)) {
    const std::int64_t since = e.time - aggregateSeconds;
    auto row = e.trustedCaller ? sameAsLatestOfAccount(db, e, since) : sameFromCaller(db, e, since);
    if (row) {
      Query q = db.query("UPDATE audit SET count = count + 1, last_time = ? WHERE id = ?");
      q.bind(1, e.time).bind(2, *row).run();
      return;
    }
  }
  Query q = db.query(
      "INSERT INTO audit (time, user, op, factor, credential_id, result, reason, service, "
      "peer_uid, peer_pid, rhost, tty, last_time, device) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  q.bind(1, e.time)
      .bind(2, e.user)
      .bind(3, e.op)
      .bind(4, e.factor)
      .bind(5, e.credentialId)
      .bind(6, e.result)
      .bind(7, e.reason)
      .bind(8, e.service)
      .bind(9, e.peerUid)
      .bind(10, e.peerPid)
      .bind(11, e.rhost)
      .bind(12, e.tty)
      .bind(13, e.time)
      .bind(14, e.device)
      .run();
}

std::int64_t purgeAudit(SqliteDb& db, std::int64_t logonBefore, std::int64_t adminBefore,
                        int limit) {
  Query q = db.query(
      "DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE time < max(?1, ?2) AND "
      "((time < ?1 AND op IN ('verify', 'factors', 'fido2_begin')) OR time < ?2) LIMIT ?3)");
  q.bind(1, logonBefore).bind(2, adminBefore).bind(3, std::int64_t{limit}).run();
  return sqlite3_changes(db.handle());
}

SignCountOutcome advanceSignCount(SqliteDb& db, std::int64_t credentialId, const Principal& user,
                                  std::uint32_t presented, std::int64_t now) {
  // Read, decide, write: safe because all writes run on the one writer connection in order.
  Query read = db.query(
      "SELECT sign_count, clone_suspected FROM credentials "
      "WHERE id = ?1 AND state = 'active' AND fido2_id IS NOT NULL AND " AUTHD_OWNED_BY);
  read.bind(1, credentialId);
  bindOwner(read, user);
  if (!read.step()) return SignCountOutcome::notActive;
  const auto stored = static_cast<std::uint32_t>(read.integer(0));
  if (read.integer(1) != 0) return SignCountOutcome::suspended;
  if (!fido2::signCountAcceptable(stored, presented)) {
    Query mark = db.query("UPDATE credentials SET clone_suspected = 1 WHERE id = ?");
    mark.bind(1, credentialId).run();
    return SignCountOutcome::regressed;
  }
  // A row from before stable ids is bound to the account that just used it.
  Query write = db.query(
      "UPDATE credentials SET sign_count = ?1, last_used_at = ?2, "
      "owner = CASE WHEN ?4 != '' THEN ?4 ELSE owner END WHERE id = ?3");
  write.bind(1, std::int64_t{presented}).bind(2, now).bind(3, credentialId).bind(4, user.id).run();
  return SignCountOutcome::advanced;
}

void raiseSignCount(SqliteDb& db, std::int64_t credentialId, const Principal& user,
                    std::uint32_t count) {
  Query q = db.query(
      "UPDATE credentials SET sign_count = ?2 "
      "WHERE id = ?1 AND state = 'active' AND fido2_id IS NOT NULL AND sign_count < ?2 "
      "AND " AUTHD_OWNED_BY);
  q.bind(1, credentialId).bind(2, std::int64_t{count});
  bindOwner(q, user).run();
}

bool reinstateCredential(SqliteDb& db, std::int64_t credentialId, const Principal& user) {
  Query q = db.query(
      "UPDATE credentials SET clone_suspected = 0 "
      "WHERE id = ?1 AND state = 'active' AND clone_suspected = 1 AND " AUTHD_OWNED_BY);
  q.bind(1, credentialId);
  bindOwner(q, user).run();
  return db.changes() == 1;
}

bool fido2IdExists(SqliteDb& db, const std::vector<unsigned char>& credentialId) {
  Query q = db.query("SELECT 1 FROM credentials WHERE fido2_id = ?");
  q.bind(1, std::span<const unsigned char>(credentialId));
  return q.step();
}

// An account's offline rows: by its stable id, or issued under the name an admin typed.
#define AUTHD_GRANT_OF "((?1 != '' AND owner = ?1) OR user = ?2)"

void putOfflineGrant(SqliteDb& db, const OfflineGrant& g) {
  Query q = db.query(
      "INSERT INTO offline_grants (owner, device, user, issued, expires, revoked) "
      "VALUES (?, ?, ?, ?, ?, 0) ON CONFLICT (owner, device) DO UPDATE SET "
      "user = excluded.user, issued = excluded.issued, expires = excluded.expires, revoked = 0");
  q.bind(1, g.owner).bind(2, g.device).bind(3, g.user).bind(4, g.issued).bind(5, g.expires).run();
}

std::int64_t revokeOfflineGrants(SqliteDb& db, const Principal& who,
                                 const std::optional<std::string>& device) {
  Query q = db.query("UPDATE offline_grants SET revoked = 1 WHERE revoked = 0 AND " AUTHD_GRANT_OF
                     " AND (?3 IS NULL OR device = ?3)");
  q.bind(1, who.id).bind(2, who.name);
  if (device) q.bind(3, *device);
  q.run();
  return db.changes();
}

void dropOfflineGrant(SqliteDb& db, const std::string& owner, const std::string& device) {
  Query q = db.query("DELETE FROM offline_grants WHERE owner = ? AND device = ?");
  q.bind(1, owner).bind(2, device).run();
}

std::vector<OfflineGrant> offlineGrants(SqliteDb& db, const Principal& who) {
  Query q = db.query(
      "SELECT owner, device, user, issued, expires, revoked FROM offline_grants "
      "WHERE " AUTHD_GRANT_OF " ORDER BY device");
  q.bind(1, who.id).bind(2, who.name);
  std::vector<OfflineGrant> rows;
  while (q.step()) {
    rows.push_back(OfflineGrant{q.text(0), q.text(1), q.text(2), q.integer(3), q.integer(4),
                                q.integer(5) != 0});
  }
  return rows;
}

#undef AUTHD_GRANT_OF
#undef AUTHD_AUDIT_COLUMNS
#undef AUTHD_CREDENTIAL_COLUMNS
#undef AUTHD_OWNED_BY

}  // namespace authd::sql
