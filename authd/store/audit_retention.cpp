#include "authd/store/audit_retention.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "authd/base/async.h"
#include "authd/base/log.h"

namespace authd {

namespace {

constexpr std::int64_t kDay = 86400;
constexpr int kBatch = 5000;

}  // namespace

AuditCutoffs auditCutoffs(const Config::Audit& audit, std::int64_t now) {
  return {now - audit.retentionDays * kDay, now - audit.adminRetentionDays * kDay};
}

boost::asio::awaitable<std::int64_t> purgeAuditOnce(Store& store, AuditCutoffs cutoffs, int batch) {
  std::int64_t deleted = 0;
  Store::TxnWork purge = [&](StoreTxn& txn) {
    deleted = txn.purgeAudit(cutoffs.logonBefore, cutoffs.adminBefore, batch);
  };
  if (!co_await asyncWrite(store, purge, boost::asio::use_awaitable)) {
    throw StoreError("audit retention: the purge could not be stored");
  }
  co_return deleted;
}

boost::asio::awaitable<std::int64_t> purgeSessionsOnce(Store& store, std::int64_t closedBefore,
                                                       int batch) {
  std::int64_t deleted = 0;
  Store::TxnWork purge = [&](StoreTxn& txn) { deleted = txn.purgeSessions(closedBefore, batch); };
  if (!co_await asyncWrite(store, purge, boost::asio::use_awaitable)) {
    throw StoreError("session retention: the purge could not be stored");
  }
  co_return deleted;
}

namespace {

// One batch of audit rows and one of sessions; true when either was full, so more is due.
boost::asio::awaitable<bool> purgeBatches(Store& store, AuditCutoffs cutoffs) {
  std::int64_t events = 0;
  std::int64_t sessions = 0;
  try {
    events = co_await purgeAuditOnce(store, cutoffs, kBatch);
    if (events > 0) log::info("audit retention: deleted " + std::to_string(events) + " rows");
    sessions = co_await purgeSessionsOnce(store, cutoffs.logonBefore, kBatch);
    if (sessions > 0) {
      log::info("audit retention: deleted " + std::to_string(sessions) + " closed VPN sessions");
    }
  } catch (const StoreError& e) {
    log::error(e.what());
  }
  co_return events == kBatch || sessions == kBatch;
}

}  // namespace

// A full batch means more is due: the next one follows at once, leaving the writer to logons in
// between (each batch is one transaction among theirs).
boost::asio::awaitable<void> keepAuditRetention(Store& store, const Config::Audit& audit,
                                                Clock clock, boost::asio::steady_timer& timer) {
  for (;;) {
    const bool more = co_await purgeBatches(store, auditCutoffs(audit, clock()));
    timer.expires_after(more ? std::chrono::seconds(0) : std::chrono::hours(1));
    boost::system::error_code ec;
    co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    if (ec) co_return;
  }
}

}  // namespace authd
