#include "authd/directory/ldap/ldap_filter.h"

#include <doctest/doctest.h>

#include <string>

using namespace authd;
using namespace std::string_literals;

TEST_SUITE("ldap") {
  TEST_CASE("a user filter ANDs the configured filter with the escaped login") {
    CHECK(userSearchFilter("(objectClass=inetOrgPerson)", "uid", "alice") ==
          "(&(objectClass=inetOrgPerson)(uid=alice))");
    CHECK(userSearchFilter("(objectClass=inetOrgPerson)", "uid", "*)(uid=*") ==
          "(&(objectClass=inetOrgPerson)(uid=\\2A\\29\\28uid=\\2A))");
  }

  TEST_CASE("a configured filter without parentheses is wrapped; an empty one left out") {
    CHECK(userSearchFilter("objectClass=user", "sAMAccountName", "bob") ==
          "(&(objectClass=user)(sAMAccountName=bob))");
    CHECK(userSearchFilter("", "uid", "bob") == "(&(uid=bob))");
  }

  TEST_CASE("a presence filter ANDs the configured filter with ATTRIBUTE=*") {
    CHECK(presenceFilter("(objectClass=inetOrgPerson)", "memberOf") ==
          "(&(objectClass=inetOrgPerson)(memberOf=*))");
    CHECK(presenceFilter("objectClass=group", "member") == "(&(objectClass=group)(member=*))");
    CHECK(presenceFilter("", "memberOf") == "(&(memberOf=*))");
  }

  TEST_CASE("a member filter ORs every escaped member value") {
    CHECK(memberSearchFilter("(objectClass=groupOfNames)", "member",
                             {"uid=alice,ou=people,dc=x", "cn=a\\2Cb,dc=x"}) ==
          "(&(objectClass=groupOfNames)(|(member=uid=alice,ou=people,dc=x)"
          "(member=cn=a\\5C2Cb,dc=x)))");
    CHECK(memberSearchFilter("(objectClass=posixGroup)", "memberUid", {"b*b"}) ==
          "(&(objectClass=posixGroup)(|(memberUid=b\\2Ab)))");
  }

  TEST_CASE("logins that never reach the server: empty, NUL, longer than 256 bytes") {
    CHECK(isSearchableLogin("alice"));
    CHECK(isSearchableLogin(std::string(kMaxLoginLength, 'a')));
    CHECK_FALSE(isSearchableLogin(""));
    CHECK_FALSE(isSearchableLogin("ali\0ce"s));
    CHECK_FALSE(isSearchableLogin(std::string(kMaxLoginLength + 1, 'a')));
  }
}
