#pragma once
// The SQL behind the Store interface, as functions over one connection. The caller decides the
// transaction (the writer's batch or a reader's implicit one) and the thread.

#include <optional>
#include <string>
#include <vector>

#include "authd/store/store.h"
#include "authd/store/store_sqlite_db.h"

namespace authd::sql {

// The statement behind credentialsOf (every verify runs it), for query-plan checks.
extern const char* const kCredentialsOfSql;
std::vector<CredentialRecord> credentialsOf(SqliteDb& db, const Principal& user);
std::optional<CredentialRecord> credentialById(SqliteDb& db, std::int64_t id);
std::vector<CredentialRecord> liveCredentials(SqliteDb& db, const std::optional<std::string>& user);
LockState lockState(SqliteDb& db, const Principal& who);
std::vector<LockState> failingUsers(SqliteDb& db, const std::optional<std::string>& user);
std::vector<AuditEvent> audit(SqliteDb& db, const AuditQuery& query);

void putLockState(SqliteDb& db, const LockState& state);
std::int64_t clearLocks(SqliteDb& db, const Principal& who);
std::int64_t forgetStaleLocks(SqliteDb& db, std::int64_t before, std::int64_t now, int limit);
bool claimStep(SqliteDb& db, std::int64_t credentialId, const Principal& user, std::int64_t step,
               std::int64_t now, const std::vector<unsigned char>& boundSecret);
bool putSealedSecret(SqliteDb& db, std::int64_t credentialId,
                     const std::vector<unsigned char>& sealed);
std::vector<CredentialRecord> legacySealedCredentials(SqliteDb& db);
std::int64_t insertCredential(SqliteDb& db, const CredentialRecord& record);
bool activateCredential(SqliteDb& db, std::int64_t credentialId, const Principal& user,
                        std::int64_t step, std::int64_t now);
bool revokeCredential(SqliteDb& db, std::int64_t credentialId, const Principal& user);
void appendAudit(SqliteDb& db, const AuditEvent& event, int aggregateSeconds);
std::int64_t purgeAudit(SqliteDb& db, std::int64_t logonBefore, std::int64_t adminBefore,
                        int limit);
SignCountOutcome advanceSignCount(SqliteDb& db, std::int64_t credentialId, const Principal& user,
                                  std::uint32_t presented, std::int64_t now);
void raiseSignCount(SqliteDb& db, std::int64_t credentialId, const Principal& user,
                    std::uint32_t count);
bool reinstateCredential(SqliteDb& db, std::int64_t credentialId, const Principal& user);
bool fido2IdExists(SqliteDb& db, const std::vector<unsigned char>& credentialId);
void putOfflineGrant(SqliteDb& db, const OfflineGrant& grant);
std::int64_t revokeOfflineGrants(SqliteDb& db, const Principal& who,
                                 const std::optional<std::string>& device);
void dropOfflineGrant(SqliteDb& db, const std::string& owner, const std::string& device);
std::vector<OfflineGrant> offlineGrants(SqliteDb& db, const Principal& who);

// RADIUS accounting (store_sqlite_sessions.cpp).
void recordAccounting(SqliteDb& db, const AccountingRecord& record);
std::int64_t purgeSessions(SqliteDb& db, std::int64_t closedBefore, int limit);
std::vector<SessionRecord> sessions(SqliteDb& db, const SessionQuery& query);
std::int64_t openSessionCount(SqliteDb& db);

}  // namespace authd::sql
