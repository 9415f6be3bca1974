#include "authd/radius/radius_accounting.h"

#include <algorithm>
#include <boost/asio/use_awaitable.hpp>

#include "authd/admin/licence.h"
#include "authd/base/async.h"
#include "authd/base/log.h"
#include "authd/radius/radius_attributes.h"

namespace authd::radius {

namespace {

// Attributes of RFC 2866 and RFC 2865 that only accounting reads.
constexpr std::uint8_t kFramedIpAddress = 8;
constexpr std::uint8_t kAcctDelayTime = 41;
constexpr std::uint8_t kAcctTerminateCause = 49;
constexpr std::uint8_t kAcctInputGigawords = 52;
constexpr std::uint8_t kAcctOutputGigawords = 53;
// A report older than this is dated "now - a day": gateway clocks and queues are not trusted
// further back than that.
constexpr std::int64_t kMaxReportAge = 86400;
constexpr std::size_t kMaxText = 253;
constexpr std::int64_t kLicenceWarningInterval = 300;

std::uint64_t octets(const RadiusPacket& packet, std::uint8_t low, std::uint8_t gigawords) {
  return (std::uint64_t{attributeInteger(packet, gigawords).value_or(0)} << 32) |
         attributeInteger(packet, low).value_or(0);
}

std::int64_t eventTime(const RadiusPacket& packet, std::int64_t now) {
  std::int64_t time =
      now -
      std::min<std::int64_t>(attributeInteger(packet, kAcctDelayTime).value_or(0), kMaxReportAge);
  if (std::optional<std::uint32_t> stamp = attributeInteger(packet, attr::kEventTimestamp)) {
    time = std::clamp<std::int64_t>(*stamp, now - kMaxReportAge, now);
  }
  return time;
}

bool needsSession(AccountingStatus status) {
  return status != AccountingStatus::accountingOn && status != AccountingStatus::accountingOff;
}

}  // namespace

AccountingParse parseAccounting(const RadiusClient& client, const RadiusPacket& packet,
                                const std::string& sourceAddress, std::int64_t now) {
  AccountingParse out;
  const std::optional<std::uint32_t> statusValue = attributeInteger(packet, attr::kAcctStatusType);
  if (!statusValue) return out;
  const std::optional<AccountingStatus> status = accountingStatusFrom(*statusValue);
  if (!status) {
    out.ignored = true;
    return out;
  }
  AccountingRecord r;
  r.client = client.name;
  r.status = *status;
  r.sessionId = attributeText(packet, attr::kAcctSessionId, kMaxText);
  r.user = attributeText(packet, attr::kUserName, kMaxText);
  if (needsSession(*status) && (r.sessionId.empty() || r.user.empty())) return out;
  r.nasIdentifier = attributeText(packet, attr::kNasIdentifier, kMaxText);
  r.nasIp = attributeAddress(packet, attr::kNasIpAddress, AF_INET);
  if (r.nasIp.empty()) r.nasIp = attributeAddress(packet, attr::kNasIpv6Address, AF_INET6);
  if (r.nasIp.empty()) r.nasIp = sourceAddress;
  r.callingStation = attributeText(packet, attr::kCallingStationId, kMaxText);
  r.framedIp = attributeAddress(packet, kFramedIpAddress, AF_INET);
  r.time = eventTime(packet, now);
  r.sessionTime = attributeInteger(packet, attr::kAcctSessionTime).value_or(0);
  r.inputOctets = octets(packet, attr::kAcctInputOctets, kAcctInputGigawords);
  r.outputOctets = octets(packet, attr::kAcctOutputOctets, kAcctOutputGigawords);
  if (std::optional<std::uint32_t> cause = attributeInteger(packet, kAcctTerminateCause)) {
    r.terminateCause = static_cast<int>(std::min<std::uint32_t>(*cause, 0x7fffffff));
  }
  out.record = std::move(r);
  return out;
}

boost::asio::awaitable<bool> AccountingHandler::record(const RadiusClient& client,
                                                       const RadiusPacket& packet,
                                                       const std::string& sourceAddress) {
  const AccountingParse parsed = parseAccounting(client, packet, sourceAddress, core_.clock());
  if (parsed.ignored) co_return true;
  if (!parsed.record) {
    log::debug("radius: an Accounting-Request from " + client.name +
               " lacks Acct-Status-Type, Acct-Session-Id or User-Name; not recorded");
    co_return false;
  }
  const AccountingRecord& record = *parsed.record;
  Store::TxnWork write = [&](StoreTxn& txn) { txn.recordAccounting(record); };
  const bool committed = co_await asyncWrite(core_.store, write, boost::asio::use_awaitable);
  if (!committed) throw StoreError("the accounting record could not be stored");
  if (record.status == AccountingStatus::start) warnAboutLicence();
  co_return true;
}

void AccountingHandler::warnAboutLicence() {
  if (core_.config.radius.licenceLimit == 0) return;
  const std::int64_t now = core_.clock();
  std::int64_t last = lastWarning_.load();
  if (now - last < kLicenceWarningInterval) return;
  std::optional<std::string> warning =
      licenceWarning(core_.store.openSessionCount(), core_.config.radius);
  if (warning && lastWarning_.compare_exchange_strong(last, now)) log::warning(*warning);
}

}  // namespace authd::radius
