#pragma once
// Accounting-Request (RFC 2866) from an admitted client: session start, interim update and stop,
// and Accounting-On/-Off (the gateway restarted: all its sessions are over). Recorded durably
// before the Accounting-Response, as the RFC requires: a request that cannot be recorded stays
// unanswered, and the gateway retransmits it. After a start, the number of open sessions is
// compared with radius.licence_limit and a warning logged when it comes close.

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "authd/base/core.h"
#include "authd/radius/radius_clients.h"
#include "authd/radius/radius_packet.h"
#include "authd/store/store.h"
#include "authd/store/store_types.h"

namespace authd::radius {

// The record of one Accounting-Request, or nullopt when it lacks what RFC 2866 requires
// (Acct-Status-Type; Acct-Session-Id and User-Name for start, interim and stop) or has a status
// authd does not keep (Tunnel-Link, Failed: acknowledged, not recorded: see `ignored`).
struct AccountingParse {
  std::optional<AccountingRecord> record;
  bool ignored = false;  // a well-formed status authd has no use for: answer, record nothing
};
AccountingParse parseAccounting(const RadiusClient& client, const RadiusPacket& packet,
                                const std::string& sourceAddress, std::int64_t now);

class AccountingHandler {
 public:
  explicit AccountingHandler(Core core) : core_(core) {}

  // True once recorded (or ignored on purpose): then answer with Accounting-Response.
  boost::asio::awaitable<bool> record(const RadiusClient& client, const RadiusPacket& packet,
                                      const std::string& sourceAddress);

 private:
  // At most once per kLicenceWarningInterval: a storm of starts must not flood the log.
  void warnAboutLicence();

  Core core_;
  std::atomic<std::int64_t> lastWarning_{0};
};

}  // namespace authd::radius
