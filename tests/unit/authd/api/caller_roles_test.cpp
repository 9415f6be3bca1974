#include "authd/api/caller_roles.h"

#include <doctest/doctest.h>

#include "authd/api/dispatcher.h"

using namespace authd;

TEST_CASE("caller_roles: every operation authd has has an access class, and no other") {
  for (const auto& op : Dispatcher::operations()) {
    CAPTURE(op.name);
    CHECK(accessOf(op.name).has_value());
  }
  CHECK_FALSE(accessOf("shutdown").has_value());
  CHECK_FALSE(accessOf("").has_value());
  CHECK(accessOf("ping") == Access::anyone);
  CHECK(accessOf("verify") == Access::account);
  CHECK(accessOf("audit") == Access::admin);
  CHECK(accessOf("sessions") == Access::admin);
}

TEST_CASE("caller_roles: own account only, unless a service; admin operations for admins") {
  const std::string alice = "alice";
  const std::string bob = "bob";
  const CallerRoles user{"alice", false, false};
  const CallerRoles service{"web", false, true};
  const CallerRoles admin{"frank", true, false};
  CHECK(accessRefusal(Access::account, user, &alice).empty());
  CHECK_FALSE(accessRefusal(Access::account, user, &bob).empty());
  CHECK_FALSE(accessRefusal(Access::account, user, nullptr).empty());
  CHECK(accessRefusal(Access::account, service, &bob).empty());
  CHECK_FALSE(accessRefusal(Access::admin, user, nullptr).empty());
  CHECK_FALSE(accessRefusal(Access::admin, service, nullptr).empty());
  CHECK(accessRefusal(Access::admin, admin, &bob).empty());
  CHECK_FALSE(accessRefusal(Access::account, admin, &bob).empty());
  // An unknown uid has no name: its own account is no account.
  const std::string empty;
  CHECK_FALSE(accessRefusal(Access::account, CallerRoles{}, &empty).empty());
  CHECK(accessRefusal(Access::anyone, CallerRoles{}, nullptr).empty());
}
