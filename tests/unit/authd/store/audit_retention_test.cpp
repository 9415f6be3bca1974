#include "authd/store/audit_retention.h"

#include <doctest/doctest.h>

TEST_CASE("retention cut-offs: logon events and admin events by their own number of days") {
  authd::Config::Audit audit;
  audit.retentionDays = 30;
  audit.adminRetentionDays = 365;
  const std::int64_t now = 1'700'000'000;
  auto cutoffs = authd::auditCutoffs(audit, now);
  CHECK(cutoffs.logonBefore == now - 30 * 86400);
  CHECK(cutoffs.adminBefore == now - 365 * 86400);
}
