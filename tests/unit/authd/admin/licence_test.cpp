#include "authd/admin/licence.h"

#include <doctest/doctest.h>

using authd::Config;
using authd::licenceWarning;

namespace {

Config::Radius licence(int limit, int percent) {
  Config::Radius radius;
  radius.licenceLimit = limit;
  radius.licenceWarningPercent = percent;
  return radius;
}

}  // namespace

TEST_CASE("licence: no limit configured, no warning however many sessions are open") {
  CHECK_FALSE(licenceWarning(0, licence(0, 90)));
  CHECK_FALSE(licenceWarning(100000, licence(0, 90)));
  CHECK_FALSE(licenceWarning(5, licence(-1, 90)));
}

TEST_CASE("licence: a warning from the percentage on, exactly at its edge") {
  const auto radius = licence(650, 90);  // 90% of 650 = 585
  CHECK_FALSE(licenceWarning(0, radius));
  CHECK_FALSE(licenceWarning(584, radius));
  auto warning = licenceWarning(585, radius);
  REQUIRE(warning);
  CHECK(*warning ==
        "licence nearly used up: 585 VPN sessions open, 90% of radius.licence_limit 650 "
        "(warning from 90%)");
  CHECK(licenceWarning(649, radius)->find("nearly used up: 649") != std::string::npos);
  // A fractional edge: 90% of 7 is 6.3, so 6 sessions are below it and 7 reach the limit.
  CHECK_FALSE(licenceWarning(6, licence(7, 90)));
}

TEST_CASE("licence: another text at and over the limit") {
  const auto radius = licence(650, 90);
  CHECK(*licenceWarning(650, radius) ==
        "licence limit reached: 650 VPN sessions open, radius.licence_limit is 650");
  CHECK(licenceWarning(700, radius)->find("limit reached: 700") != std::string::npos);
}

TEST_CASE("licence: a percentage of 0 or 100 and more warns only at the limit") {
  CHECK_FALSE(licenceWarning(649, licence(650, 0)));
  CHECK_FALSE(licenceWarning(649, licence(650, 100)));
  CHECK_FALSE(licenceWarning(649, licence(650, 150)));
  CHECK(licenceWarning(650, licence(650, 0)));
  CHECK(licenceWarning(1, licence(1, 100))->find("limit reached") != std::string::npos);
}
