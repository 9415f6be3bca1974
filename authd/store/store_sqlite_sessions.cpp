// The SQL of RADIUS accounting: VPN sessions in radius_sessions (schema version 9). Reports come
// over UDP, so they may repeat, arrive out of order or go missing; each one is read against the
// stored row first. Safe as read-then-write: every write runs on the one writer connection.

#include <algorithm>
#include <limits>

#include "authd/store/store_sqlite_queries.h"

namespace authd::sql {

namespace {

#define AUTHD_SESSION_SELECT                                                              \
  "SELECT client, session_id, user, nas_identifier, nas_ip, calling_station, framed_ip, " \
  "started, last_seen, stopped, session_time, input_octets, output_octets, stop_cause, "  \
  "stopped IS NULL AND last_seen < ?1 FROM radius_sessions "
// The indexes on started hold the key too (WITHOUT ROWID), so this whole order is theirs.
#define AUTHD_SESSION_ORDER " ORDER BY started DESC, client DESC, session_id DESC LIMIT ?2"

// What a report is read against.
struct StoredSession {
  std::int64_t lastSeen = 0;
  std::optional<std::int64_t> stopped;
};

// SQLite integers are signed; counters beyond 2^63 octets are kept at the largest one.
std::int64_t octets(std::uint64_t value) {
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(std::min(value, kMax));
}

// A session whose start was lost began Acct-Session-Time before the report.
std::int64_t startOf(const AccountingRecord& r) {
  return std::max<std::int64_t>(0, r.time - std::max<std::int64_t>(0, r.sessionTime));
}

std::optional<std::int64_t> optionalInt(const std::optional<int>& value) {
  if (!value) return std::nullopt;
  return std::int64_t{*value};
}

std::optional<StoredSession> storedSession(SqliteDb& db, const AccountingRecord& r) {
  Query q = db.query(
      "SELECT last_seen, stopped FROM radius_sessions WHERE client = ? AND session_id = ?");
  q.bind(1, r.client).bind(2, r.sessionId);
  if (!q.step()) return std::nullopt;
  StoredSession s;
  s.lastSeen = q.integer(0);
  if (!q.isNull(1)) s.stopped = q.integer(1);
  return s;
}

// The row as this report alone describes it, replacing any earlier one of the same id.
void putSession(SqliteDb& db, const AccountingRecord& r, std::int64_t started,
                std::optional<std::int64_t> stopped) {
  Query q = db.query(
      "INSERT OR REPLACE INTO radius_sessions (client, session_id, user, nas_identifier, nas_ip, "
      "calling_station, framed_ip, started, last_seen, stopped, session_time, input_octets, "
      "output_octets, stop_cause) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  q.bind(1, r.client).bind(2, r.sessionId).bind(3, r.user).bind(4, r.nasIdentifier);
  q.bind(5, r.nasIp).bind(6, r.callingStation).bind(7, r.framedIp).bind(8, started);
  q.bind(9, r.time).bind(10, stopped).bind(11, std::max<std::int64_t>(0, r.sessionTime));
  q.bind(12, octets(r.inputOctets)).bind(13, octets(r.outputOctets));
  q.bind(14, stopped ? optionalInt(r.terminateCause) : std::nullopt).run();
}

// An interim or stop of an open session. Counters only grow within a session, so a report
// overtaken by a later one changes none of them; fields the report leaves empty are kept.
void updateOpenSession(SqliteDb& db, const AccountingRecord& r,
                       std::optional<std::int64_t> stopped) {
  Query q = db.query(
      "UPDATE radius_sessions SET "
      "user = CASE WHEN ?3 != '' THEN ?3 ELSE user END, "
      "nas_identifier = CASE WHEN ?4 != '' THEN ?4 ELSE nas_identifier END, "
      "nas_ip = CASE WHEN ?5 != '' THEN ?5 ELSE nas_ip END, "
      "calling_station = CASE WHEN ?6 != '' THEN ?6 ELSE calling_station END, "
      "framed_ip = CASE WHEN ?7 != '' THEN ?7 ELSE framed_ip END, "
      "last_seen = max(last_seen, ?8), session_time = max(session_time, ?9), "
      "input_octets = max(input_octets, ?10), output_octets = max(output_octets, ?11), "
      "stopped = ?12, stop_cause = ?13 "
      "WHERE client = ?1 AND session_id = ?2 AND stopped IS NULL");
  q.bind(1, r.client).bind(2, r.sessionId).bind(3, r.user).bind(4, r.nasIdentifier);
  q.bind(5, r.nasIp).bind(6, r.callingStation).bind(7, r.framedIp).bind(8, r.time);
  q.bind(9, std::max<std::int64_t>(0, r.sessionTime)).bind(10, octets(r.inputOctets));
  q.bind(11, octets(r.outputOctets)).bind(12, stopped);
  q.bind(13, stopped ? optionalInt(r.terminateCause) : std::nullopt).run();
}

// A start: a new session; a repeat of an open one's start; or, after the stop, the gateway
// reusing the id. A start from before the stop is a late duplicate and changes nothing.
void startSession(SqliteDb& db, const AccountingRecord& r,
                  const std::optional<StoredSession>& stored) {
  if (!stored || (stored->stopped && r.time > *stored->stopped)) {
    putSession(db, r, r.time, std::nullopt);
    return;
  }
  if (stored->stopped) return;
  Query q = db.query(
      "UPDATE radius_sessions SET started = min(started, ?3), last_seen = max(last_seen, ?3) "
      "WHERE client = ?1 AND session_id = ?2");
  q.bind(1, r.client).bind(2, r.sessionId).bind(3, r.time).run();
}

// An interim or stop; one for a closed session came late and changes nothing.
void continueSession(SqliteDb& db, const AccountingRecord& r,
                     const std::optional<StoredSession>& stored,
                     std::optional<std::int64_t> stopped) {
  if (!stored) {
    putSession(db, r, startOf(r), stopped);
  } else if (!stored->stopped) {
    updateOpenSession(db, r, stopped);
  }
}

// Accounting-On or -Off: the gateway (re)started, so none of its sessions is still running.
void closeClientSessions(SqliteDb& db, const AccountingRecord& r) {
  Query q = db.query(
      "UPDATE radius_sessions SET stopped = ?2, stop_cause = ?3 "
      "WHERE client = ?1 AND stopped IS NULL");
  q.bind(1, r.client).bind(2, r.time);
  q.bind(3, std::int64_t{r.terminateCause.value_or(kTerminateNasReboot)}).run();
}

SessionRecord sessionRow(const Query& q) {
  SessionRecord s;
  s.client = q.text(0);
  s.sessionId = q.text(1);
  s.user = q.text(2);
  s.nasIdentifier = q.text(3);
  s.nasIp = q.text(4);
  s.callingStation = q.text(5);
  s.framedIp = q.text(6);
  s.started = q.integer(7);
  s.lastSeen = q.integer(8);
  if (!q.isNull(9)) s.stopped = q.integer(9);
  s.sessionTime = q.integer(10);
  s.inputOctets = q.integer(11);
  s.outputOctets = q.integer(12);
  if (!q.isNull(13)) s.stopCause = static_cast<int>(q.integer(13));
  s.stale = q.integer(14) != 0;
  return s;
}

// One literal per filter, so that each finds its index (an "?3 IS NULL OR" would not).
const char* sessionsSql(const SessionQuery& query) {
  if (query.user) {
    return query.openOnly ? AUTHD_SESSION_SELECT
               "WHERE user = ?3 AND stopped IS NULL" AUTHD_SESSION_ORDER
                          : AUTHD_SESSION_SELECT "WHERE user = ?3" AUTHD_SESSION_ORDER;
  }
  return query.openOnly ? AUTHD_SESSION_SELECT "WHERE stopped IS NULL" AUTHD_SESSION_ORDER
                        : AUTHD_SESSION_SELECT AUTHD_SESSION_ORDER;
}

}  // namespace

void recordAccounting(SqliteDb& db, const AccountingRecord& r) {
  switch (r.status) {
    case AccountingStatus::start:
      startSession(db, r, storedSession(db, r));
      return;
    case AccountingStatus::interim:
      continueSession(db, r, storedSession(db, r), std::nullopt);
      return;
    case AccountingStatus::stop:
      continueSession(db, r, storedSession(db, r), r.time);
      return;
    case AccountingStatus::accountingOn:
    case AccountingStatus::accountingOff:
      closeClientSessions(db, r);
      return;
  }
  throw StoreError("unknown accounting status " + std::to_string(static_cast<int>(r.status)));
}

std::int64_t purgeSessions(SqliteDb& db, std::int64_t closedBefore, int limit) {
  // Through radius_sessions_stopped: the cost is bounded by `limit`.
  Query q = db.query(
      "DELETE FROM radius_sessions WHERE (client, session_id) IN (SELECT client, session_id "
      "FROM radius_sessions WHERE stopped < ? ORDER BY stopped LIMIT ?)");
  q.bind(1, closedBefore).bind(2, std::int64_t{limit}).run();
  return db.changes();
}

std::vector<SessionRecord> sessions(SqliteDb& db, const SessionQuery& query) {
  std::vector<SessionRecord> rows;
  if (query.limit <= 0) return rows;  // SQLite reads a negative LIMIT as "no limit"
  Query q = db.query(sessionsSql(query));
  q.bind(1, query.staleBefore).bind(2, std::int64_t{query.limit});
  if (query.user) q.bind(3, *query.user);
  while (q.step()) rows.push_back(sessionRow(q));
  return rows;
}

std::int64_t openSessionCount(SqliteDb& db) {
  Query q = db.query("SELECT count(*) FROM radius_sessions WHERE stopped IS NULL");
  return q.step() ? q.integer(0) : 0;
}

#undef AUTHD_SESSION_ORDER
#undef AUTHD_SESSION_SELECT

}  // namespace authd::sql
