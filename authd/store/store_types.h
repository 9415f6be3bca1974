#pragma once
// The store's record types for RADIUS accounting (RFC 2866): what a gateway reports of a VPN
// session, and the session rows shown to admins. Included by store.h.

#include <cstdint>
#include <optional>
#include <string>

namespace authd {

// Acct-Status-Type (RFC 2866 §5.1) values authd keeps; the numbers are the attribute's.
enum class AccountingStatus {
  start = 1,
  stop = 2,
  interim = 3,
  accountingOn = 7,
  accountingOff = 8
};
// The status of an Acct-Status-Type value; nullopt for the others (tunnel and failed records).
std::optional<AccountingStatus> accountingStatusFrom(std::uint32_t value);

// Acct-Terminate-Cause NAS-Reboot (RFC 2866 §5.10): the cause of sessions closed by an
// Accounting-On or -Off that names none.
inline constexpr int kTerminateNasReboot = 11;

// One Accounting-Request as the listener read it. A session is (client, sessionId): gateways
// number their sessions independently, and one may reuse an id after a reboot.
struct AccountingRecord {
  std::string client;     // the RADIUS client's configured name
  std::string sessionId;  // Acct-Session-Id
  std::string user;       // User-Name
  std::string nasIdentifier;
  std::string nasIp;           // NAS-IP-Address or NAS-IPv6-Address, as text
  std::string callingStation;  // Calling-Station-Id: usually the user's public address
  std::string framedIp;        // Framed-IP-Address: the address inside the VPN
  AccountingStatus status = AccountingStatus::start;
  std::int64_t time = 0;  // unix seconds of the event (Event-Timestamp, or now - Acct-Delay-Time)
  std::int64_t sessionTime = 0;   // Acct-Session-Time, seconds
  std::uint64_t inputOctets = 0;  // with Acct-Input-Gigawords
  std::uint64_t outputOctets = 0;
  std::optional<int> terminateCause;  // Acct-Terminate-Cause
};

// A stored session. Open while `stopped` is unset.
struct SessionRecord {
  std::string client;
  std::string sessionId;
  std::string user;
  std::string nasIdentifier;
  std::string nasIp;
  std::string callingStation;
  std::string framedIp;
  std::int64_t started = 0;
  std::int64_t lastSeen = 0;  // the latest report of the session
  std::optional<std::int64_t> stopped;
  std::int64_t sessionTime = 0;
  std::int64_t inputOctets = 0;
  std::int64_t outputOctets = 0;
  std::optional<int> stopCause;
  bool stale = false;  // open, but nothing heard since SessionQuery::staleBefore
};

// A gateway that crashed never sends a stop: an open session without a report for this long is
// shown as stale (and kept: it may still be running).
inline constexpr std::int64_t kStaleSessionSeconds = 7 * 86400;

struct SessionQuery {
  std::optional<std::string> user;
  bool openOnly = true;
  int limit = 1000;              // newest first
  std::int64_t staleBefore = 0;  // open sessions last seen before this are marked stale
};

}  // namespace authd
