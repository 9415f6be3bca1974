#include <doctest/doctest.h>

#include "authd/store/store.h"
#include "unit/authd/store/store_test_support.h"

using authd::CredentialState;

TEST_CASE("credential states round-trip through their text form") {
  for (CredentialState state :
       {CredentialState::pending, CredentialState::active, CredentialState::revoked}) {
    auto parsed = authd::credentialStateFrom(authd::toString(state));
    REQUIRE(parsed);
    CHECK(static_cast<int>(*parsed) == static_cast<int>(state));
  }
  CHECK(std::string(authd::toString(CredentialState::active)) == "active");
}

TEST_CASE("unknown credential state text is rejected") {
  CHECK_FALSE(authd::credentialStateFrom(""));
  CHECK_FALSE(authd::credentialStateFrom("Active"));
  CHECK_FALSE(authd::credentialStateFrom("active "));
  CHECK_FALSE(authd::credentialStateFrom(std::string_view("active\0", 7)));
}

TEST_CASE("accounting statuses come from their Acct-Status-Type numbers, others from none") {
  using authd::AccountingStatus;
  CHECK(authd::accountingStatusFrom(1) == AccountingStatus::start);
  CHECK(authd::accountingStatusFrom(2) == AccountingStatus::stop);
  CHECK(authd::accountingStatusFrom(3) == AccountingStatus::interim);
  CHECK(authd::accountingStatusFrom(7) == AccountingStatus::accountingOn);
  CHECK(authd::accountingStatusFrom(8) == AccountingStatus::accountingOff);
  for (std::uint32_t other : {0u, 4u, 6u, 9u, 15u, 0xffffffffu}) {
    CAPTURE(other);
    CHECK_FALSE(authd::accountingStatusFrom(other).has_value());
  }
}
