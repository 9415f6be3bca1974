#include "authd/policy.h"

#include <doctest/doctest.h>

using namespace authd;

namespace {

Account member(std::vector<std::string> groups) {
  Account a;
  a.name = "u";
  a.id = "test:u";
  a.groups = std::move(groups);
  return a;
}

using Strings = std::vector<std::string>;

Config::Policy cityPolicy() {
  Config::Policy p;
  p.groups = {{"gesundheitsamt", {"fido2"}, true},
              {"telearbeit", {"totp", "fido2"}, false},
              {"extern", {"totp"}, false}};
  return p;
}

}  // namespace

TEST_CASE("without a ruled group the default factors apply and everyone needs MFA") {
  auto p = effectivePolicy(cityPolicy(), member({"staff"}));
  CHECK(p.factors == Strings{"fido2", "totp"});
  CHECK_FALSE(p.uvRequired);
  CHECK(p.mfaRequired);
  CHECK(p.rules == Strings{"default"});
  CHECK(p.mfaBecause == Strings{"everyone"});
  Config::Policy keysOnly = cityPolicy();
  keysOnly.defaultFactors = {"fido2"};
  CHECK(effectivePolicy(keysOnly, member({})).factors == Strings{"fido2"});
}

TEST_CASE("one ruled group: its factors and UV rule, in canonical order") {
  auto health = effectivePolicy(cityPolicy(), member({"staff", "gesundheitsamt"}));
  CHECK(health.factors == Strings{"fido2"});
  CHECK(health.uvRequired);
  CHECK(health.allows("fido2"));
  CHECK_FALSE(health.allows("totp"));
  CHECK(health.rules == Strings{"gesundheitsamt"});
  auto tele = effectivePolicy(cityPolicy(), member({"telearbeit"}));
  CHECK(tele.factors == Strings{"fido2", "totp"});  // listed totp first in the rule
  CHECK_FALSE(tele.uvRequired);
}

TEST_CASE("several groups: the strictest combination wins") {
  auto both = effectivePolicy(cityPolicy(), member({"telearbeit", "gesundheitsamt"}));
  CHECK(both.factors == Strings{"fido2"});
  CHECK(both.uvRequired);
  CHECK(both.rules == Strings{"gesundheitsamt", "telearbeit"});
  // Rules without a common factor leave nothing: such a user cannot log on (deny, not widen).
  auto conflict = effectivePolicy(cityPolicy(), member({"gesundheitsamt", "extern"}));
  CHECK(conflict.factors.empty());
  CHECK_FALSE(conflict.allows("fido2"));
  CHECK_FALSE(conflict.allows("totp"));
}

TEST_CASE("mfa_groups limit who must use a second factor") {
  Config::Policy p = cityPolicy();
  p.mfaGroups = {"telearbeit", "gesundheitsamt"};
  auto office = effectivePolicy(p, member({"staff"}));
  CHECK_FALSE(office.mfaRequired);
  CHECK(office.mfaBecause.empty());
  auto tele = effectivePolicy(p, member({"staff", "telearbeit"}));
  CHECK(tele.mfaRequired);
  CHECK(tele.mfaBecause == Strings{"telearbeit"});
}
