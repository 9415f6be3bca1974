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
