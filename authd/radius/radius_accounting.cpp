#include "authd/radius/radius_accounting.h"

#include <arpa/inet.h>

#include <algorithm>
#include <boost/asio/use_awaitable.hpp>

#include "authd/admin/licence.h"
#include "authd/base/async.h"
#include "authd/base/log.h"

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

std::optional<std::uint32_t> integerOf(const RadiusPacket& packet, std::uint8_t type) {
  const RadiusAttribute* a = findAttribute(packet, type);
  if (a == nullptr || a->value.size() != 4) return std::nullopt;
  return (std::uint32_t{a->value[0]} << 24) | (std::uint32_t{a->value[1]} << 16) |
         (std::uint32_t{a->value[2]} << 8) | std::uint32_t{a->value[3]};
}

// Text for the store and `authctl sessions`: printable ASCII, the rest as '?'.
std::string textOf(const RadiusPacket& packet, std::uint8_t type) {
  const RadiusAttribute* a = findAttribute(packet, type);
  std::string text;
  if (a == nullptr) return text;
  for (unsigned char c : a->value) {
    if (text.size() == kMaxText) break;
    text.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
  }
  return text;
}

std::string addressOf(const RadiusPacket& packet, std::uint8_t type, int family) {
  const RadiusAttribute* a = findAttribute(packet, type);
  const std::size_t size = family == AF_INET ? 4 : 16;
  char text[INET6_ADDRSTRLEN] = {};
  if (a == nullptr || a->value.size() != size ||
      inet_ntop(family, a->value.data(), text, sizeof text) == nullptr) {
    return {};
  }
  return text;
}

std::uint64_t octets(const RadiusPacket& packet, std::uint8_t low, std::uint8_t gigawords) {
  return (std::uint64_t{integerOf(packet, gigawords).value_or(0)} << 32) |
         integerOf(packet, low).value_or(0);
}

std::int64_t eventTime(const RadiusPacket& packet, std::int64_t now) {
  std::int64_t time =
      now - std::min<std::int64_t>(integerOf(packet, kAcctDelayTime).value_or(0), kMaxReportAge);
  if (std::optional<std::uint32_t> stamp = integerOf(packet, attr::kEventTimestamp)) {
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
  const std::optional<std::uint32_t> statusValue = integerOf(packet, attr::kAcctStatusType);
  if (!statusValue) return out;
  const std::optional<AccountingStatus> status = accountingStatusFrom(*statusValue);
  if (!status) {
    out.ignored = true;
    return out;
  }
  AccountingRecord r;
  r.client = client.name;
  r.status = *status;
  r.sessionId = textOf(packet, attr::kAcctSessionId);
  r.user = textOf(packet, attr::kUserName);
  if (needsSession(*status) && (r.sessionId.empty() || r.user.empty())) return out;
  r.nasIdentifier = textOf(packet, attr::kNasIdentifier);
  r.nasIp = addressOf(packet, attr::kNasIpAddress, AF_INET);
  if (r.nasIp.empty()) r.nasIp = addressOf(packet, attr::kNasIpv6Address, AF_INET6);
  if (r.nasIp.empty()) r.nasIp = sourceAddress;
  r.callingStation = textOf(packet, attr::kCallingStationId);
  r.framedIp = addressOf(packet, kFramedIpAddress, AF_INET);
  r.time = eventTime(packet, now);
  r.sessionTime = integerOf(packet, attr::kAcctSessionTime).value_or(0);
  r.inputOctets = octets(packet, attr::kAcctInputOctets, kAcctInputGigawords);
  r.outputOctets = octets(packet, attr::kAcctOutputOctets, kAcctOutputGigawords);
  if (std::optional<std::uint32_t> cause = integerOf(packet, kAcctTerminateCause)) {
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
