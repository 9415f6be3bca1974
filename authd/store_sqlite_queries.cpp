#include "authd/store_sqlite_queries.h"

#include "authd/fido2/relying_party.h"  // signCountAcceptable: the one counter rule

namespace authd::sql {

namespace {

// Column lists as literals, so each full statement is one literal (the statement cache key).
#define AUTHD_AUDIT_COLUMNS                                                                     \
  "SELECT time, user, op, factor, credential_id, result, reason, service, peer_uid, peer_pid, " \
  "rhost, tty FROM audit "
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
  return e;
}

Query& bindOwner(Query& q, const Principal& p) {
  return q.bind(20, p.id).bind(21, p.name).bind(22, std::int64_t{p.byName});
}

}  // namespace

const char* const kCredentialsOfSql =
    "SELECT " AUTHD_CREDENTIAL_COLUMNS " FROM credentials WHERE " AUTHD_OWNED_BY " ORDER BY id";

std::vector<CredentialRecord> credentialsOf(SqliteDb& db, const Principal& user) {
  Query q = db.query(kCredentialsOfSql);
  bindOwner(q, user);
  return credentialRows(q);
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

LockState lockState(SqliteDb& db, const std::string& user) {
  Query q = db.query("SELECT failures, locked_until FROM lockout WHERE user = ?");
  q.bind(1, user);
  LockState state{user, 0, 0};
  if (q.step()) {
    state.failures = q.integer(0);
    state.lockedUntil = q.integer(1);
  }
  return state;
}

std::vector<LockState> failingUsers(SqliteDb& db, const std::optional<std::string>& user) {
  std::vector<LockState> rows;
  auto collect = [&rows](Query& q) {
    while (q.step()) rows.push_back(LockState{q.text(0), q.integer(1), q.integer(2)});
  };
  if (user) {
    Query q = db.query(
        "SELECT user, failures, locked_until FROM lockout WHERE user = ? AND failures != 0");
    q.bind(1, *user);
    collect(q);
    return rows;
  }
  Query q = db.query(
      "SELECT user, failures, locked_until FROM lockout WHERE failures != 0 ORDER BY user");
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
  // A clean slate is the absence of a row, which keeps the table as small as the locked users.
  if (state.failures == 0 && state.lockedUntil == 0) {
    Query q = db.query("DELETE FROM lockout WHERE user = ?");
    q.bind(1, state.user).run();
    return;
  }
  Query q = db.query(
      "INSERT INTO lockout (user, failures, locked_until) VALUES (?, ?, ?) "
      "ON CONFLICT (user) DO UPDATE SET failures = excluded.failures, "
      "locked_until = excluded.locked_until");
  q.bind(1, state.user).bind(2, state.failures).bind(3, state.lockedUntil).run();
}

bool claimStep(SqliteDb& db, std::int64_t credentialId, const Principal& user, std::int64_t step,
               std::int64_t now) {
  // A row from before stable ids is bound to the account that just used it.
  Query q = db.query(
      "UPDATE credentials SET last_step = ?1, last_used_at = ?2, "
      "owner = CASE WHEN ?20 != '' THEN ?20 ELSE owner END "
      "WHERE id = ?3 AND state = 'active' AND last_step < ?1 AND " AUTHD_OWNED_BY);
  q.bind(1, step).bind(2, now).bind(3, credentialId);
  bindOwner(q, user).run();
  return db.changes() == 1;
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

void appendAudit(SqliteDb& db, const AuditEvent& e) {
  Query q = db.query(
      "INSERT INTO audit (time, user, op, factor, credential_id, result, reason, service, "
      "peer_uid, peer_pid, rhost, tty) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
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
      .run();
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

#undef AUTHD_AUDIT_COLUMNS
#undef AUTHD_CREDENTIAL_COLUMNS
#undef AUTHD_OWNED_BY

}  // namespace authd::sql
