#pragma once
// The store behind an interface: SQLite today (store_sqlite.cpp), PostgreSQL for several nodes
// later. Reads may run on any thread. Every write runs inside a transaction that the store may
// batch with others (group commit); its completion fires only once the batch is durable.

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "authd/store/store_types.h"

namespace authd {

// Thrown by any store call when the database cannot be used; callers fail secure.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class CredentialState { pending, active, revoked };
const char* toString(CredentialState state);
std::optional<CredentialState> credentialStateFrom(std::string_view text);

// What a FIDO2 credential adds to a credential row (factor "fido2").
struct Fido2CredentialData {
  std::vector<unsigned char> credentialId;  // as chosen by the authenticator
  std::vector<unsigned char> coseKey;       // COSE_Key as the authenticator sent it
  int algorithm = 0;                        // COSE algorithm id
  std::vector<unsigned char> aaguid;        // 16 bytes
  std::string fmt;                          // attestation format at registration
  std::string attestation;                  // "none" | "self" | "basic" | "basic_unverified"
  std::uint32_t signCount = 0;              // last accepted signature counter
  bool uvRequired = false;                  // enrolled with uv=required
  std::vector<unsigned char> userHandle;    // WebAuthn user.id
  bool cloneSuspected = false;              // counter went backwards; refused until reinstated
};

enum class SignCountOutcome {
  advanced,   // stored durably with the transaction
  regressed,  // not greater than the stored value: the credential is now clone-suspected
  suspended,  // already clone-suspected
  notActive,  // missing, revoked, another user's, or not a FIDO2 credential
};

// Whose credentials: an account's stable directory id and its login name. A rename keeps the id,
// and a new account that reuses a name has another id, so credentials follow the id. Rows stored
// before ids existed (owner "") belong to whoever holds the name, and are bound to that id at
// their next successful logon. `byName` also reaches rows stored under `name` whatever their
// owner: for an admin who names the stored user (an account the directory no longer knows).
struct Principal {
  std::string name;
  std::string id;  // "" when unknown: only rows without an owner match (or byName)
  bool byName = false;

  Principal(std::string name_) : name(std::move(name_)) {}  // NOLINT: implicit, legacy rows
  Principal(const char* name_) : name(name_) {}             // NOLINT
  Principal(std::string name_, std::string id_, bool byName_ = false)
      : name(std::move(name_)), id(std::move(id_)), byName(byName_) {}
};

// Admin operations name the user a credential was stored under (the USER column of `list`).
inline Principal storedUnder(std::string name) { return {std::move(name), "", true}; }

struct CredentialRecord {
  std::int64_t id = 0;
  std::string user;    // login name at enrolment
  std::string owner;   // stable directory id of the account; "" for rows from before version 3
  std::string factor;  // "totp"
  std::string label;
  CredentialState state = CredentialState::pending;
  std::string algorithm;  // "sha1" | "sha256" | "sha512"
  int digits = 6;
  std::vector<unsigned char> sealedSecret;   // SecretBox output; empty once revoked
  std::int64_t lastStep = -1;                // last accepted TOTP time step, -1 = none
  std::int64_t createdAt = 0;                // unix seconds
  std::int64_t lastUsedAt = 0;               // unix seconds, 0 = never
  std::optional<Fido2CredentialData> fido2;  // set for factor "fido2"
};

// The failure counter of one account, found by its stable id (every login name of the account
// shares it), or of a name that no account has (owner "", counted per name typed, so that
// locking behaves alike for both).
struct LockState {
  std::string user;  // the account's login name as the directory gave it last, or the name typed
  std::int64_t failures = 0;     // consecutive failed attempts
  std::int64_t lockedUntil = 0;  // unix seconds, 0 = not locked
  std::string owner{};           // the account's stable directory id; "" for an unknown name
  std::int64_t updatedAt = 0;    // unix seconds of the last failure counted
};

struct AuditEvent {
  std::int64_t time = 0;
  std::string user;
  std::string op;      // "verify", "enroll", "confirm", "revoke", "unlock", "list", "audit"
  std::string factor;  // "totp", "fido2" or empty
  std::optional<std::int64_t> credentialId;
  std::string result;   // "accept", "reject", "locked", "ok", "denied", "error"
  std::string reason;   // machine-readable detail, never a secret or code
  std::string service;  // PAM service or client name
  std::int64_t peerUid = -1;
  std::int64_t peerPid = -1;
  std::string rhost;     // remote host of the logon, when the client knows it
  std::string tty;       // terminal of the logon, when the client knows it
  std::string device{};  // certificate name of the network peer that asked; "" for local callers
  // Set by the caller of appendAudit: false for a socket peer that may act only for itself. Its
  // repeated failures aggregate per caller, whatever free text it sends.
  bool trustedCaller = true;
  // Read back: identical failures within store.audit_aggregate seconds are one row.
  std::int64_t count = 1;
  std::int64_t lastTime = 0;  // time of the last event counted in this row
};

// An offline entry the central authd issued (docs/offline.md): which device holds one for which
// account until when. The entry itself lives only at the device; this row lets authd withdraw it
// and tell admins who holds one.
struct OfflineGrant {
  std::string owner;   // the account's stable directory id
  std::string device;  // the certificate name of the device
  std::string user;    // login name when issued
  std::int64_t issued = 0;
  std::int64_t expires = 0;
  bool revoked = false;
};

struct AuditQuery {
  std::optional<std::string> user;
  std::int64_t since = 0;  // unix seconds, inclusive
  int limit = 100;         // newest first
};

// Operations available inside one write transaction. Implementations throw StoreError.
class StoreTxn {
 public:
  virtual ~StoreTxn() = default;
  // The counter of `who.id` when it has one, else of the name `who.name`.
  virtual LockState lockState(const Principal& who) = 0;
  // Stores the counter of state.owner (else state.user); a clean state removes it.
  virtual void putLockState(const LockState& state) = 0;
  // Removes every counter shown under `who.name` and the counter of `who.id`; returns the highest
  // failure count removed.
  virtual std::int64_t clearLocks(const Principal& who) = 0;
  // Removes at most `limit` counters of unknown names that are not locked at `now` and whose last
  // failure was before `before`; returns how many.
  virtual std::int64_t forgetStaleLocks(std::int64_t before, std::int64_t now, int limit) = 0;
  // Advances the credential's last step to `step` only when it is active, belongs to `user` and
  // its stored last step is lower. Returns true when it advanced (compare-and-set). A row that
  // this binds to `user.id` (owner "" or of another backend) takes `boundSecret`, its secret
  // sealed for that owner (totp_seal.h); a row that would be bound without one is not claimed.
  virtual bool claimStep(std::int64_t credentialId, const Principal& user, std::int64_t step,
                         std::int64_t now, const std::vector<unsigned char>& boundSecret) = 0;
  // Inserts a credential and returns its new id (record.id is ignored).
  virtual std::int64_t insertCredential(const CredentialRecord& record) = 0;
  // Stores the sealed secret of a live TOTP credential, sealed with the current associated data
  // (which names the row's id: enrolment inserts first, then seals). False when no such row.
  virtual bool putSealedSecret(std::int64_t credentialId,
                               const std::vector<unsigned char>& sealed) = 0;
  // Live TOTP credentials still sealed with the version-1 associated data (the enrolment name
  // only), ordered by id: what start-up re-seals (totp_seal.h).
  virtual std::vector<CredentialRecord> legacySealedCredentials() = 0;
  // Moves a pending credential of `user` to active with `step` as its last step.
  virtual bool activateCredential(std::int64_t credentialId, const Principal& user,
                                  std::int64_t step, std::int64_t now) = 0;
  // Marks a credential revoked and erases its sealed secret. False when not found or revoked.
  virtual bool revokeCredential(std::int64_t credentialId, const Principal& user) = 0;
  // Appends an event; a failure identical to a recent one of the same account (trusted callers)
  // or of the same caller (untrusted ones) only raises that row's count.
  virtual void appendAudit(const AuditEvent& event) = 0;
  // Deletes at most `limit` audit rows: logon events older than `logonBefore`, admin events older
  // than `adminBefore`. Returns how many it deleted.
  virtual std::int64_t purgeAudit(std::int64_t logonBefore, std::int64_t adminBefore,
                                  int limit) = 0;
  // FIDO2: applies the signature-counter rule (WebAuthn §7.2 step 21) to an active credential of
  // `user` and stores the new counter and last use, or marks the credential clone-suspected.
  virtual SignCountOutcome advanceSignCount(std::int64_t credentialId, const Principal& user,
                                            std::uint32_t presented, std::int64_t now) = 0;
  // Raises the stored counter of an active credential of `user` to `count` when it is lower, and
  // never marks anything (a device's report of its offline logons, which may come late).
  virtual void raiseSignCount(std::int64_t credentialId, const Principal& user,
                              std::uint32_t count) = 0;
  // Clears the clone-suspected mark; false when there was none to clear.
  virtual bool reinstateCredential(std::int64_t credentialId, const Principal& user) = 0;
  // True when any credential (revoked ones included) has this FIDO2 credential id.
  virtual bool fido2IdExists(const std::vector<unsigned char>& credentialId) = 0;
  // Records the entry just issued to grant.device, replacing that device's earlier one.
  virtual void putOfflineGrant(const OfflineGrant& grant) = 0;
  // Marks the entries of `who` (its id, or rows issued under its name) withdrawn, at one device
  // or at all; returns how many were not withdrawn before.
  virtual std::int64_t revokeOfflineGrants(const Principal& who,
                                           const std::optional<std::string>& device) = 0;
  // Forgets the row of an entry its device no longer holds.
  virtual void dropOfflineGrant(const std::string& owner, const std::string& device) = 0;
  // Applies one Accounting-Request to the session (record.client, record.sessionId), whatever
  // order and repetition UDP delivers them in: a start opens the session (a repeated start keeps
  // the one row; a start after the stop reopens it as a session reusing the id); an interim
  // refreshes last_seen and the counters of an open one; a stop closes it. A session whose start
  // was lost is created from its interim or stop, started at time - sessionTime. Accounting-On
  // and -Off close every open session of the client (the gateway restarted).
  virtual void recordAccounting(const AccountingRecord& record) = 0;
  // Deletes at most `limit` sessions that were closed before `closedBefore`; returns how many.
  virtual std::int64_t purgeSessions(std::int64_t closedBefore, int limit) = 0;
};

class Store {
 public:
  using TxnWork = std::function<void(StoreTxn&)>;
  // ok=false when the work threw or the commit failed; then nothing of the work was kept.
  using Done = std::function<void(bool ok)>;

  virtual ~Store() = default;

  // Queues `work` to run inside a write transaction; `done` runs on the store's writer thread
  // after the transaction is durable (or rolled back), so it must only hand off, never block.
  // `work` runs on the writer thread too and must not block on anything but the database. It may
  // run a second time, from the same database state, when another item of its batch failed:
  // it must set its outputs only from what the transaction tells it, never accumulate.
  virtual void write(TxnWork work, Done done) = 0;

  virtual std::vector<CredentialRecord> credentials(const Principal& user) = 0;
  virtual std::optional<CredentialRecord> credential(std::int64_t id) = 0;
  // All non-revoked credentials, optionally of one user, ordered by user then id.
  virtual std::vector<CredentialRecord> listCredentials(const std::optional<std::string>& user) = 0;
  virtual LockState lockState(const Principal& who) = 0;
  // Counters with a non-zero failure count, optionally only those shown under one name, ordered
  // by user.
  virtual std::vector<LockState> listLocks(const std::optional<std::string>& user) = 0;
  virtual std::vector<AuditEvent> audit(const AuditQuery& query) = 0;
  // The offline entries issued for `who` (its id, or under its name), by device.
  virtual std::vector<OfflineGrant> offlineGrants(const Principal& who) = 0;
  // VPN sessions, newest start first, at most query.limit.
  virtual std::vector<SessionRecord> sessions(const SessionQuery& query) = 0;
  // Sessions not closed, stale ones included.
  virtual std::int64_t openSessionCount() = 0;

  // Stops the writer after finishing queued work.
  virtual void close() = 0;
};

struct SqliteOptions {
  std::string path;    // database file
  int maxBatch = 512;  // most work items per group commit
  int busyTimeoutMs = 5000;
  int auditAggregateSeconds = 300;  // 0: every event is its own row
};

// Opens (creating when needed) the SQLite database in WAL mode with synchronous=FULL, runs the
// schema migrations and starts the writer thread. Throws StoreError.
std::unique_ptr<Store> openSqliteStore(const SqliteOptions& options);

}  // namespace authd
