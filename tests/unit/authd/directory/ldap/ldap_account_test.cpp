#include "authd/directory/ldap/ldap_account.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

using namespace authd;
using namespace std::string_literals;

namespace {

Config::Ldap openLdap() {
  Config::Ldap options;
  options.userBase = "ou=people,dc=stadt,dc=example";
  return options;
}

Config::Ldap activeDirectory() {
  Config::Ldap options;
  options.userBase = "OU=Benutzer,DC=stadt,DC=example";
  options.loginAttribute = "sAMAccountName";
  options.idAttribute = "objectGUID";
  options.disabledFlagAttribute = "userAccountControl";
  options.disabledFlagMask = 2;
  return options;
}

LdapEntry alice() {
  LdapEntry entry;
  entry.dn = "uid=alice,ou=people,dc=stadt,dc=example";
  entry.add("uid", "alice");
  entry.add("entryUUID", "5c6a1b7e-0a6c-103f-8e4c-5b1d3c9a0e11");
  entry.add("displayName", "Alice Amsel");
  entry.add("mail", "alice@stadt.example");
  entry.add("memberOf", "cn=gesundheitsamt,ou=groups,dc=stadt,dc=example");
  return entry;
}

bool contains(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

}  // namespace

TEST_SUITE("ldap") {
  TEST_CASE("an OpenLDAP entry maps to an account") {
    Account account = accountFromEntry(alice(), openLdap(), "alice");
    CHECK(account.name == "alice");
    CHECK(account.uid == 0);
    CHECK(account.id == "ldap:5c6a1b7e-0a6c-103f-8e4c-5b1d3c9a0e11");
    CHECK(account.dn == "uid=alice,ou=people,dc=stadt,dc=example");
    CHECK(account.displayName == "Alice Amsel");
    CHECK(account.mail == "alice@stadt.example");
    CHECK(account.groups == std::vector<std::string>{"gesundheitsamt"});
    CHECK_FALSE(account.disabled);
  }

  TEST_CASE("the name is spelled as the directory spells it") {
    LdapEntry entry = alice();
    entry.attributes["uid"] = {"Alice"};
    CHECK(accountFromEntry(entry, openLdap(), "ALICE").name == "Alice");
  }

  TEST_CASE("with several login values the one that was looked up is the name") {
    LdapEntry entry = alice();
    entry.attributes["uid"] = {"alice", "a.amsel"};
    CHECK(accountFromEntry(entry, openLdap(), "A.Amsel").name == "a.amsel");
    CHECK(accountFromEntry(entry, openLdap(), "alice").name == "alice");
  }

  TEST_CASE("attribute names are matched without regard to case") {
    LdapEntry entry;
    entry.dn = "uid=x,dc=x";
    entry.add("UID", "x");
    entry.add("ENTRYUUID", "id-1");
    entry.add("DisplayName", "X");
    Account account = accountFromEntry(entry, openLdap(), "x");
    CHECK(account.id == "ldap:id-1");
    CHECK(account.displayName == "X");
  }

  TEST_CASE("an entry without id or login value fails, naming the attribute") {
    LdapEntry noId = alice();
    noId.attributes.erase("entryuuid");
    CHECK_THROWS_WITH_AS(accountFromEntry(noId, openLdap(), "alice"),
                         "directory entry has no entryUUID value", DirectoryError);
    LdapEntry emptyId = alice();
    emptyId.attributes["entryuuid"] = {""};
    CHECK_THROWS_AS(accountFromEntry(emptyId, openLdap(), "alice"), DirectoryError);
    LdapEntry noLogin = alice();
    noLogin.attributes.erase("uid");
    CHECK_THROWS_WITH_AS(accountFromEntry(noLogin, openLdap(), "alice"),
                         "directory entry has no uid value", DirectoryError);
  }

  TEST_CASE("objectGUID: the canonical string with little-endian first three fields") {
    std::string guid = "\x33\x22\x11\x00\x55\x44\x77\x66\x88\x99\xaa\xbb\xcc\xdd\xee\xff"s;
    CHECK(formatGuid(guid) == "00112233-4455-6677-8899-aabbccddeeff");
    CHECK(ldapAccountId("objectGUID", guid) == "ldap:00112233-4455-6677-8899-aabbccddeeff");
    // Binary 16 bytes are a GUID whatever the attribute is called.
    CHECK(ldapAccountId("objectguid", guid) == ldapAccountId("someId", guid));
    // A printable 16-byte objectGUID is still a GUID (the attribute says so).
    CHECK(ldapAccountId("objectGUID", "ABCDEFGHIJKLMNOP") ==
          "ldap:44434241-4645-4847-494a-4b4c4d4e4f50");
  }

  TEST_CASE("text ids are kept; other binary ids become hex") {
    CHECK(ldapAccountId("entryUUID", "5c6a1b7e-0a6c-103f-8e4c-5b1d3c9a0e11") ==
          "ldap:5c6a1b7e-0a6c-103f-8e4c-5b1d3c9a0e11");
    CHECK(ldapAccountId("employeeNumber", "ABCDEFGHIJKLMNOP") == "ldap:ABCDEFGHIJKLMNOP");
    CHECK(ldapAccountId("objectSid", "\x01\x05\x00\xff"s) == "ldap:010500ff");
  }

  TEST_CASE("AD: an account maps with its GUID and userAccountControl") {
    LdapEntry entry;
    entry.dn = "CN=Bob Bauer,OU=Benutzer,DC=stadt,DC=example";
    entry.add("sAMAccountName", "bob");
    entry.add("objectGUID", "\x33\x22\x11\x00\x55\x44\x77\x66\x88\x99\xaa\xbb\xcc\xdd\xee\xff"s);
    entry.add("userAccountControl", "512");
    entry.add("memberOf", "CN=Telearbeit,OU=Gruppen,DC=stadt,DC=example");
    Account account = accountFromEntry(entry, activeDirectory(), "BOB");
    CHECK(account.name == "bob");
    CHECK(account.id == "ldap:00112233-4455-6677-8899-aabbccddeeff");
    CHECK(account.groups == std::vector<std::string>{"Telearbeit"});
    CHECK_FALSE(account.disabled);
  }

  TEST_CASE("disabled: AD userAccountControl & mask") {
    Config::Ldap options = activeDirectory();
    LdapEntry entry = alice();
    auto withFlags = [&](const std::string& flags) {
      entry.attributes["useraccountcontrol"] = {flags};
      return isDisabled(entry, options);
    };
    CHECK(withFlags("2"));
    CHECK(withFlags("514"));          // 0x202: NORMAL_ACCOUNT | ACCOUNTDISABLE
    CHECK_FALSE(withFlags("512"));    // 0x200: NORMAL_ACCOUNT
    CHECK_FALSE(withFlags("66048"));  // 0x10200: password never expires
    CHECK(withFlags("66050"));
    CHECK(withFlags("not a number"));  // unreadable: fail secure
    CHECK(withFlags("512 "));
    CHECK(withFlags(""));
    entry.attributes.erase("useraccountcontrol");
    CHECK_FALSE(isDisabled(entry, options));
  }

  TEST_CASE("disabled: a mask of 0 or no flag attribute never disables") {
    Config::Ldap options = activeDirectory();
    LdapEntry entry = alice();
    entry.add("userAccountControl", "514");
    options.disabledFlagMask = 0;
    CHECK_FALSE(isDisabled(entry, options));
    options.disabledFlagMask = 2;
    options.disabledFlagAttribute.clear();
    CHECK_FALSE(isDisabled(entry, options));
  }

  TEST_CASE("disabled: pwdAccountLockedTime present or absent") {
    Config::Ldap options = openLdap();
    options.disabledAttribute = "pwdAccountLockedTime";
    LdapEntry entry = alice();
    CHECK_FALSE(isDisabled(entry, options));
    entry.add("pwdAccountLockedTime", "000001010000Z");
    CHECK(isDisabled(entry, options));
    CHECK(accountFromEntry(entry, options, "alice").disabled);
    options.disabledAttribute.clear();
    CHECK_FALSE(isDisabled(entry, options));
  }

  TEST_CASE("disabled: with disabledValues only those values disable, case-insensitively") {
    Config::Ldap options = openLdap();
    options.disabledAttribute = "accountStatus";
    options.disabledValues = {"inactive", "locked"};
    LdapEntry entry = alice();
    CHECK_FALSE(isDisabled(entry, options));
    entry.attributes["accountstatus"] = {"active"};
    CHECK_FALSE(isDisabled(entry, options));
    entry.attributes["accountstatus"] = {"INACTIVE"};
    CHECK(isDisabled(entry, options));
    entry.attributes["accountstatus"] = {"active", "Locked"};
    CHECK(isDisabled(entry, options));
  }

  TEST_CASE("disabled: either rule is enough") {
    Config::Ldap options = activeDirectory();
    options.disabledAttribute = "pwdAccountLockedTime";
    LdapEntry entry = alice();
    entry.add("userAccountControl", "512");
    CHECK_FALSE(isDisabled(entry, options));
    entry.add("pwdAccountLockedTime", "20240101000000Z");
    CHECK(isDisabled(entry, options));
  }

  TEST_CASE("memberOf: group names from the first RDN, other types skipped, no duplicates") {
    Config::Ldap options = openLdap();
    LdapEntry entry = alice();
    entry.attributes["memberof"] = {"cn=gesundheitsamt,ou=groups,dc=stadt,dc=example",
                                    "CN=Amt 53\\2C Gesundheit,OU=Gruppen,DC=stadt,DC=example",
                                    "ou=not-a-group,dc=stadt,dc=example",
                                    "cn=gesundheitsamt,ou=other,dc=stadt,dc=example",
                                    "cn=GesundheitsAmt,ou=third,dc=stadt,dc=example",
                                    "not a dn"};
    CHECK(groupsFromMemberOf(entry, options) ==
          std::vector<std::string>{"gesundheitsamt", "Amt 53, Gesundheit"});
  }

  TEST_CASE("memberOf with group_base: only groups under it count") {
    Config::Ldap options = openLdap();
    options.groupBase = "ou=groups,dc=stadt,dc=example";
    LdapEntry entry = alice();
    entry.attributes["memberof"] = {"CN=Telearbeit,OU=Groups,DC=stadt,DC=example",
                                    "cn=gesundheitsamt,ou=projects,dc=stadt,dc=example",
                                    "cn=gesundheitsamt,ou=people,dc=stadt,dc=example",
                                    "cn=vpn,ou=sub,ou=groups,dc=stadt,dc=example"};
    CHECK(groupsFromMemberOf(entry, options) == std::vector<std::string>{"Telearbeit", "vpn"});
    options.groupBase.clear();  // without group_base every memberOf DN counts
    CHECK(groupsFromMemberOf(entry, options) ==
          std::vector<std::string>{"Telearbeit", "gesundheitsamt", "vpn"});
  }

  TEST_CASE("ldap accounts compare group names ignoring case") {
    CHECK(accountFromEntry(alice(), openLdap(), "alice").groupNamesIgnoreCase);
  }

  TEST_CASE("memberOf sent in ranges fails rather than cutting groups off") {
    Config::Ldap options = activeDirectory();
    LdapEntry entry = alice();
    entry.add("memberOf;range=0-1499", "CN=g1,DC=x");
    CHECK_THROWS_AS(groupsFromMemberOf(entry, options), DirectoryError);
  }

  TEST_CASE("search mode leaves groups to the group search") {
    Config::Ldap options = openLdap();
    options.groupMode = "search";
    CHECK(accountFromEntry(alice(), options, "alice").groups.empty());
  }

  TEST_CASE("the user search asks for exactly the attributes the mapping reads") {
    Config::Ldap options = activeDirectory();
    options.disabledAttribute = "lockoutTime";
    std::vector<std::string> wanted = userAttributes(options);
    for (const char* attribute : {"sAMAccountName", "objectGUID", "displayName", "mail", "memberOf",
                                  "userAccountControl", "lockoutTime"}) {
      CHECK(contains(wanted, attribute));
    }
    CHECK(wanted.size() == 7);
    options.groupMode = "search";
    CHECK_FALSE(contains(userAttributes(options), "memberOf"));
    CHECK(userAttributes(openLdap()) ==
          std::vector<std::string>{"uid", "entryUUID", "displayName", "mail", "memberOf"});
  }
}
