#pragma once
// The database schema as an ordered list of migrations, tracked by PRAGMA user_version. Each
// migration runs in its own transaction, so a failed one leaves the previous version intact.

#include <span>

#include "authd/store/store_sqlite_db.h"

namespace authd {

struct Migration {
  int version;      // user_version after this migration; strictly increasing
  const char* sql;  // one or more statements
};

// The migrations this build knows, in order.
std::span<const Migration> schemaMigrations();
// The version a fully migrated database has.
int schemaVersion();

// Throws StoreError when `db` carries a schema version newer than the last of `migrations`;
// such a database was written by a newer authd and must not be touched.
void refuseNewerSchema(SqliteDb& db, std::span<const Migration> migrations = schemaMigrations());

// Brings `db` to the last version of `migrations`. Throws StoreError when the database is newer
// than the code (never downgrade) or a migration fails.
void migrateSchema(SqliteDb& db, std::span<const Migration> migrations = schemaMigrations());

}  // namespace authd
