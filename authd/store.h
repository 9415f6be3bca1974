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

namespace authd {

// Thrown by any store call when the database cannot be used; callers fail secure.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class CredentialState { pending, active, revoked };
const char* toString(CredentialState state);
std::optional<CredentialState> credentialStateFrom(std::string_view text);

struct CredentialRecord {
  std::int64_t id = 0;
  std::string user;
  std::string factor;  // "totp"
  std::string label;
  CredentialState state = CredentialState::pending;
  std::string algorithm;  // "sha1" | "sha256" | "sha512"
  int digits = 6;
  std::vector<unsigned char> sealedSecret;  // SecretBox output; empty once revoked
  std::int64_t lastStep = -1;               // last accepted TOTP time step, -1 = none
  std::int64_t createdAt = 0;               // unix seconds
  std::int64_t lastUsedAt = 0;              // unix seconds, 0 = never
};

struct LockState {
  std::string user;
  std::int64_t failures = 0;     // consecutive failed attempts
  std::int64_t lockedUntil = 0;  // unix seconds, 0 = not locked
};

struct AuditEvent {
  std::int64_t time = 0;
  std::string user;
  std::string op;      // "verify", "enroll", "confirm", "revoke", "unlock", "list", "audit"
  std::string factor;  // "totp" or empty
  std::optional<std::int64_t> credentialId;
  std::string result;   // "accept", "reject", "locked", "ok", "denied", "error"
  std::string reason;   // machine-readable detail, never a secret or code
  std::string service;  // PAM service or client name
  std::int64_t peerUid = -1;
  std::int64_t peerPid = -1;
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
  virtual LockState lockState(const std::string& user) = 0;
  virtual void putLockState(const LockState& state) = 0;
  // Advances the credential's last step to `step` only when it is active, belongs to `user` and
  // its stored last step is lower. Returns true when it advanced (compare-and-set).
  virtual bool claimStep(std::int64_t credentialId, const std::string& user, std::int64_t step,
                         std::int64_t now) = 0;
  // Inserts a credential and returns its new id (record.id is ignored).
  virtual std::int64_t insertCredential(const CredentialRecord& record) = 0;
  // Moves a pending credential of `user` to active with `step` as its last step.
  virtual bool activateCredential(std::int64_t credentialId, const std::string& user,
                                  std::int64_t step, std::int64_t now) = 0;
  // Marks a credential revoked and erases its sealed secret. False when not found or revoked.
  virtual bool revokeCredential(std::int64_t credentialId, const std::string& user) = 0;
  virtual void appendAudit(const AuditEvent& event) = 0;
};

class Store {
 public:
  using TxnWork = std::function<void(StoreTxn&)>;
  // ok=false when the work threw or the commit failed; then nothing of the work was kept.
  using Done = std::function<void(bool ok)>;

  virtual ~Store() = default;

  // Queues `work` to run inside a write transaction; `done` runs on the store's writer thread
  // after the transaction is durable (or rolled back), so it must only hand off, never block.
  // `work` runs on the writer thread too and must not block on anything but the database.
  virtual void write(TxnWork work, Done done) = 0;

  virtual std::vector<CredentialRecord> credentials(const std::string& user) = 0;
  virtual std::optional<CredentialRecord> credential(std::int64_t id) = 0;
  // All non-revoked credentials, optionally of one user, ordered by user then id.
  virtual std::vector<CredentialRecord> listCredentials(const std::optional<std::string>& user) = 0;
  virtual LockState lockState(const std::string& user) = 0;
  // Users with a non-zero failure count, optionally only one, ordered by user.
  virtual std::vector<LockState> listLocks(const std::optional<std::string>& user) = 0;
  virtual std::vector<AuditEvent> audit(const AuditQuery& query) = 0;

  // Stops the writer after finishing queued work.
  virtual void close() = 0;
};

struct SqliteOptions {
  std::string path;    // database file
  int maxBatch = 512;  // most work items per group commit
  int busyTimeoutMs = 5000;
};

// Opens (creating when needed) the SQLite database in WAL mode with synchronous=FULL, runs the
// schema migrations and starts the writer thread. Throws StoreError.
std::unique_ptr<Store> openSqliteStore(const SqliteOptions& options);

}  // namespace authd
