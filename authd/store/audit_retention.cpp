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

// A full batch means more is due: the next one follows at once, leaving the writer to logons in
// between (each batch is one transaction among theirs).
boost::asio::awaitable<void> keepAuditRetention(Store& store, const Config::Audit& audit,
                                                Clock clock, boost::asio::steady_timer& timer) {
  for (;;) {
    std::int64_t deleted = 0;
    try {
      deleted = co_await purgeAuditOnce(store, auditCutoffs(audit, clock()), kBatch);
      if (deleted > 0) log::info("audit retention: deleted " + std::to_string(deleted) + " rows");
    } catch (const StoreError& e) {
      log::error(e.what());
    }
    timer.expires_after(deleted == kBatch ? std::chrono::seconds(0) : std::chrono::hours(1));
    boost::system::error_code ec;
    co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    if (ec) co_return;
  }
}

}  // namespace authd
