#include "authd/directory/ldap/ldap_dn.h"

#include <doctest/doctest.h>

using namespace authd;

TEST_SUITE("ldap") {
  TEST_CASE("the first RDN's value names a group") {
    CHECK(firstRdnValue("cn=gesundheitsamt,ou=groups,dc=stadt,dc=example", "cn") ==
          "gesundheitsamt");
    CHECK(firstRdnValue("CN=Telearbeit,OU=Gruppen,DC=stadt,DC=example", "cn") == "Telearbeit");
    CHECK(firstRdnValue("cn=x,ou=groups,dc=example", "CN") == "x");
  }

  TEST_CASE("escaped values come back unescaped") {
    CHECK(firstRdnValue("cn=Amt 53\\2C Gesundheit,ou=groups,dc=x", "cn") == "Amt 53, Gesundheit");
    CHECK(firstRdnValue("cn=a\\+b,dc=x", "cn") == "a+b");
    CHECK(firstRdnValue("cn=J\\C3\\B6rg,dc=x", "cn") == "J\xc3\xb6rg");
  }

  TEST_CASE("a multi-valued first RDN: the AVA of the wanted type") {
    CHECK(firstRdnValue("ou=IT+cn=admins,dc=x", "cn") == "admins");
    CHECK(firstRdnValue("ou=IT+cn=admins,dc=x", "ou") == "IT");
  }

  TEST_CASE("no name: another type, only in a later RDN, #hex values, garbage, empty") {
    CHECK_FALSE(firstRdnValue("ou=groups,cn=x,dc=x", "cn"));
    CHECK_FALSE(firstRdnValue("uid=bob,ou=people,dc=x", "cn"));
    CHECK_FALSE(firstRdnValue("cn=#04024869,dc=x", "cn"));
    CHECK_FALSE(firstRdnValue("garbage", "cn"));
    CHECK_FALSE(firstRdnValue("", "cn"));
  }

  TEST_CASE("dnIsUnder: the base itself and entries below it, ignoring case and spacing") {
    CHECK(dnIsUnder("cn=gesundheitsamt,ou=groups,dc=stadt,dc=example",
                    "ou=groups,dc=stadt,dc=example"));
    CHECK(dnIsUnder("CN=Amt 53\\2C Gesundheit,OU=Gruppen,DC=Stadt,DC=example",
                    "ou=gruppen, dc=stadt, dc=example"));
    CHECK(dnIsUnder("cn=a,ou=sub,ou=groups,dc=x", "ou=groups,dc=x"));
    CHECK(dnIsUnder("ou=groups,dc=x", "ou=groups,dc=x"));
    CHECK(dnIsUnder("cn=a,ou=gr\\2Coups,dc=x", "ou=gr\\,oups,dc=x"));
  }

  TEST_CASE("dnIsUnder: elsewhere, a look-alike suffix, a shorter DN, garbage, empty") {
    CHECK_FALSE(dnIsUnder("cn=gesundheitsamt,ou=projects,dc=stadt,dc=example",
                          "ou=groups,dc=stadt,dc=example"));
    CHECK_FALSE(dnIsUnder("cn=a,ou=groups2,dc=x", "ou=groups,dc=x"));
    CHECK_FALSE(dnIsUnder("cn=a,ou=xgroups,dc=x", "ou=groups,dc=x"));
    CHECK_FALSE(dnIsUnder("cn=ou\\=groups\\,dc\\=x,dc=y", "ou=groups,dc=x"));
    CHECK_FALSE(dnIsUnder("dc=x", "ou=groups,dc=x"));
    CHECK_FALSE(dnIsUnder("cn=a,ou=groups+cn=b,dc=x", "ou=groups,dc=x"));
    CHECK_FALSE(dnIsUnder("garbage", "ou=groups,dc=x"));
    CHECK_FALSE(dnIsUnder("cn=a,dc=x", ""));
    CHECK_FALSE(dnIsUnder("", "dc=x"));
  }
}
