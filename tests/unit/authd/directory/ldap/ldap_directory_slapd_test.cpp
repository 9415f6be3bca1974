// authd/directory/ldap against a real OpenLDAP slapd (tests/ldap/slapd.sh). Run alone with
// `unit_authd -ts=slapd`; skipped when slapd is not installed (AUTHD_REQUIRE_SLAPD=1: failure).

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <thread>
#include <vector>

#include "authd/directory/ldap/ldap_directory.h"
#include "authd/logon/policy.h"
#include "fake_ldap_server.h"
#include "slapd_fixture.h"

using namespace authd;
using authd::testing::FakeLdapServer;
using authd::testing::Slapd;
using authd::testing::slapdAvailable;

namespace {

class NoLocalAccounts final : public Directory {
 public:
  std::optional<Account> findUser(const std::string&) override { return std::nullopt; }
  std::optional<Account> findUid(uid_t) override { return std::nullopt; }
  PasswordCheck checkPassword(const Account&, std::string_view) override {
    return PasswordCheck::unsupported;
  }
};

// One seeded server shared by the read-only cases (starting one takes about a second).
Slapd& sharedSlapd() {
  static Slapd server;
  return server;
}

Config::Ldap optionsFor(const Slapd& server, const std::string& uri) {
  Config::Ldap options;
  options.uris = {uri};
  options.caFile = server.env("LDAP_CA");
  options.bindDn = server.env("LDAP_BIND_DN");
  options.bindPasswordFile = server.env("LDAP_BIND_PASSWORD_FILE");
  options.userBase = server.env("LDAP_PEOPLE");
  options.groupBase = server.env("LDAP_GROUPS");
  options.disabledAttribute = "pwdAccountLockedTime";
  options.connectTimeoutMs = 2000;
  options.timeoutMs = 3000;
  options.poolSize = 2;
  return options;
}

struct TestClock {
  std::shared_ptr<std::int64_t> now = std::make_shared<std::int64_t>(1'700'000'000);
  Clock clock() const {
    return [now = now] { return *now; };
  }
};

std::unique_ptr<Directory> directory(const Config::Ldap& options, TestClock clock = {},
                                     GroupUse groupUse = GroupUse::informational) {
  return makeLdapDirectory(options, groupUse, std::make_unique<NoLocalAccounts>(), clock.clock());
}

std::unique_ptr<Directory> policyDirectory(const Config::Ldap& options) {
  return directory(options, {}, GroupUse::decidesPolicy);
}

using Groups = std::vector<std::string>;

Groups sorted(Groups groups) {
  std::sort(groups.begin(), groups.end());
  return groups;
}

}  // namespace

TEST_SUITE("slapd") {
  TEST_CASE("slapd: alice over ldaps: name, stable id, display name, mail, groups") {
    if (!slapdAvailable()) return;
    Slapd& server = sharedSlapd();
    auto ldap = directory(optionsFor(server, server.ldapsUri()));
    std::optional<Account> alice = ldap->findUser("alice");
    REQUIRE(alice);
    CHECK(alice->name == "alice");
    CHECK(alice->id.rfind("ldap:", 0) == 0);
    CHECK(alice->id.size() == 5 + 36);  // entryUUID
    CHECK(alice->uid == 0);
    CHECK(alice->dn == "uid=alice," + server.env("LDAP_PEOPLE"));
    CHECK(alice->displayName == "Alice Amsel");
    CHECK(alice->mail == "alice@stadt.example");
    CHECK(alice->groups == Groups{"gesundheitsamt"});
    CHECK_FALSE(alice->disabled);
    // The same account, the same id, and the name as the directory spells it.
    std::optional<Account> again = ldap->findUser("ALICE");
    REQUIRE(again);
    CHECK(again->id == alice->id);
    CHECK(again->name == "alice");
  }

  TEST_CASE("slapd: StartTLS on ldap:// works the same") {
    if (!slapdAvailable()) return;
    Slapd& server = sharedSlapd();
    auto ldap = directory(optionsFor(server, server.ldapUri()));
    std::optional<Account> dave = ldap->findUser("dave");
    REQUIRE(dave);
    CHECK(sorted(dave->groups) == Groups{"gesundheitsamt", "telearbeit"});
    CHECK(ldap->checkPassword(*dave, "dave-pw") == PasswordCheck::accepted);
  }

  TEST_CASE("slapd: carol is disabled by pwdAccountLockedTime; erin has no groups") {
    if (!slapdAvailable()) return;
    Slapd& server = sharedSlapd();
    auto ldap = directory(optionsFor(server, server.ldapsUri()));
    std::optional<Account> carol = ldap->findUser("carol");
    REQUIRE(carol);
    CHECK(carol->disabled);
    std::optional<Account> erin = ldap->findUser("erin");
    REQUIRE(erin);
    CHECK_FALSE(erin->disabled);
    CHECK(erin->groups.empty());
  }

  TEST_CASE("slapd: group policy: 'no groups' is believed after one probe, or after any groups") {
    if (!slapdAvailable()) return;
    Slapd& server = sharedSlapd();
    Config::Ldap options = optionsFor(server, server.ldapsUri());
    auto ldap = policyDirectory(options);
    std::string mark = server.mark();
    std::optional<Account> erin = ldap->findUser("erin");
    REQUIRE(erin);
    CHECK(erin->groups.empty());
    CHECK(server.requestsSince(mark) == "SRCH=2 BIND=1");  // service bind, user, probe
    mark = server.mark();
    REQUIRE(ldap->findUser("erin"));
    CHECK(server.requestsSince(mark) == "SRCH=1 BIND=0");  // probed once per directory
    auto afterGroups = policyDirectory(options);
    REQUIRE(afterGroups->findUser("alice"));
    mark = server.mark();
    REQUIRE(afterGroups->findUser("erin"));
    CHECK(server.requestsSince(mark) == "SRCH=1 BIND=0");  // alice's groups proved visibility
  }

  TEST_CASE("slapd: memberships the service account may not read fail secure under a policy") {
    if (!slapdAvailable()) return;
    Slapd server;
    REQUIRE(
        server.modifyConfig("dn: olcDatabase={1}mdb,cn=config\n"
                            "changetype: modify\n"
                            "add: olcAccess\n"
                            "olcAccess: {0}to attrs=memberOf,member by * none\n"));
    Config::Ldap options = optionsFor(server, server.ldapsUri());
    // Plain LDAP: the hidden attribute is simply absent.
    std::optional<Account> alice = directory(options)->findUser("alice");
    REQUIRE(alice);
    CHECK(alice->groups.empty());
    // With a group policy that would exempt her from its rules: an error, never "no groups".
    CHECK_THROWS_WITH_AS(policyDirectory(options)->findUser("alice"),
                         doctest::Contains("sees no group membership at all"), DirectoryError);
    CHECK_THROWS_AS(policyDirectory(options)->findUser("erin"), DirectoryError);
    options.groupMode = "search";
    CHECK_THROWS_WITH_AS(policyDirectory(options)->findUser("frank"),
                         doctest::Contains("no group with member"), DirectoryError);
    // Unknown accounts stay unknown: nothing to exempt.
    CHECK_FALSE(policyDirectory(options)->findUser("nobody-here"));
  }

  TEST_CASE("slapd: memberships are confirmed visible per server, not once for all") {
    if (!slapdAvailable()) return;
    Slapd first;
    // A replica of the same directory (same CA, service password and entries) whose service
    // account cannot see memberships, as one without the memberof overlay.
    Slapd replica("start --ca " + first.dir() + "/ldap/ca");
    REQUIRE(
        replica.modifyConfig("dn: olcDatabase={1}mdb,cn=config\n"
                             "changetype: modify\n"
                             "add: olcAccess\n"
                             "olcAccess: {0}to attrs=memberOf,member by * none\n"));
    Config::Ldap options = optionsFor(first, first.ldapsUri());
    options.uris = {first.ldapsUri(), replica.ldapsUri()};
    auto ldap = policyDirectory(options);
    REQUIRE(ldap->findUser("alice")->groups == Groups{"gesundheitsamt"});
    REQUIRE(ldap->findUser("erin"));  // believed: the first server showed memberships
    REQUIRE(first.stop());            // failover to the replica
    const std::string expected =
        replica.ldapsUri() + ": the service account sees no group membership at all";
    CHECK_THROWS_WITH_AS(ldap->findUser("erin"), doctest::Contains(expected.c_str()),
                         DirectoryError);
    CHECK_THROWS_AS(ldap->findUser("alice"), DirectoryError);  // her groups are hidden there too
  }

  TEST_CASE("slapd: member_of with group_base: a same-named group elsewhere does not count") {
    if (!slapdAvailable()) return;
    Slapd server;
    REQUIRE(
        server.modifyData("dn: ou=projects,dc=stadt,dc=example\n"
                          "changetype: add\n"
                          "objectClass: organizationalUnit\n"
                          "ou: projects\n"
                          "\n"
                          "dn: cn=gesundheitsamt,ou=projects,dc=stadt,dc=example\n"
                          "changetype: add\n"
                          "objectClass: groupOfNames\n"
                          "cn: gesundheitsamt\n"
                          "member: uid=erin," +
                          server.env("LDAP_PEOPLE") + "\n"));
    Config::Ldap options = optionsFor(server, server.ldapsUri());  // group_base = ou=groups
    CHECK(directory(options)->findUser("erin")->groups.empty());
    CHECK(directory(options)->findUser("alice")->groups == Groups{"gesundheitsamt"});
    options.groupBase.clear();  // without group_base the overlay's memberOf counts wherever
    CHECK(directory(options)->findUser("erin")->groups == Groups{"gesundheitsamt"});
  }

  TEST_CASE("slapd: findGroup: the directory's spelling, matched ignoring case, under group_base") {
    if (!slapdAvailable()) return;
    Slapd& server = sharedSlapd();
    Config::Ldap options = optionsFor(server, server.ldapsUri());
    auto ldap = directory(options);
    std::optional<Group> group = ldap->findGroup("GesundheitsAmt");
    REQUIRE(group);
    CHECK(group->name == "gesundheitsamt");
    CHECK(group->namesIgnoreCase);
    CHECK(ldap->findGroup("telearbeit")->name == "telearbeit");
    CHECK_FALSE(ldap->findGroup("telearbiet"));
    CHECK_FALSE(ldap->findGroup("alice"));        // an account, not under group_base
    CHECK_FALSE(ldap->findGroup("*"));            // escaped: matches only a group named "*"
    CHECK_FALSE(ldap->findGroup("Alice Amsel"));  // a cn, but of a person
    options.groupBase = "ou=services,dc=stadt,dc=example";
    CHECK_FALSE(directory(options)->findGroup("gesundheitsamt"));
    options = optionsFor(server, server.ldapsUri());
    options.groupMode = "search";
    options.groupFilter = "(objectClass=posixGroup)";
    CHECK_FALSE(directory(options)->findGroup("gesundheitsamt"));  // not a posixGroup
    CHECK(directory(options)->findGroup("VPN")->name == "vpn");
  }

  TEST_CASE("slapd: [policy] names checked against the directory; case is no problem there") {
    if (!slapdAvailable()) return;
    Slapd& server = sharedSlapd();
    auto ldap = directory(optionsFor(server, server.ldapsUri()));
    Config::Policy policy;
    policy.mfaGroups = {"Gesundheitsamt", "telearbiet"};
    policy.groups = {{"TELEARBEIT", {"fido2", "totp"}, false, {}, {}}};
    CHECK(policyGroupProblems(policy, *ldap) ==
          Groups{"group \"telearbiet\" does not exist in the directory"});
    // ... and a directory account in them gets the rules, whatever the case.
    EffectivePolicy dave = effectivePolicy(policy, *ldap->findUser("dave"));
    CHECK(dave.mfaBecause == Groups{"Gesundheitsamt"});
    CHECK(dave.rules == Groups{"TELEARBEIT"});
  }

  TEST_CASE("slapd: unknown names and filter injection find nobody") {
    if (!slapdAvailable()) return;
    Slapd& server = sharedSlapd();
    auto ldap = directory(optionsFor(server, server.ldapsUri()));
    CHECK_FALSE(ldap->findUser("nobody"));
    CHECK_FALSE(ldap->findUser("*)(uid=*"));
    CHECK_FALSE(ldap->findUser("*"));
    CHECK_FALSE(ldap->findUser("al*"));
    CHECK_FALSE(ldap->findUser("alice)(|(uid=*"));
    CHECK_FALSE(ldap->findUser(""));
    CHECK_FALSE(ldap->findUser(std::string("alice\0x", 7)));
    CHECK_FALSE(ldap->findUser(std::string(300, 'a')));
    CHECK(ldap->findUser("star"));  // the entry whose cn is "*" exists
  }

  TEST_CASE("slapd: nested groups with group_mode search") {
    if (!slapdAvailable()) return;
    Slapd& server = sharedSlapd();
    Config::Ldap options = optionsFor(server, server.ldapsUri());
    CHECK(directory(options)->findUser("frank")->groups == Groups{"mobilarbeit"});
    options.groupMode = "search";
    CHECK(directory(options)->findUser("frank")->groups == Groups{"mobilarbeit"});
    options.nestedDepth = 1;
    CHECK(sorted(directory(options)->findUser("frank")->groups) ==
          Groups{"mobilarbeit", "telearbeit"});
    CHECK(sorted(directory(options)->findUser("dave")->groups) ==
          Groups{"gesundheitsamt", "telearbeit"});
  }

  TEST_CASE("slapd: search mode costs one search per level") {
    if (!slapdAvailable()) return;
    Slapd& server = sharedSlapd();
    Config::Ldap options = optionsFor(server, server.ldapsUri());
    options.groupMode = "search";
    options.nestedDepth = 3;
    auto ldap = directory(options);
    ldap->findUser("erin");  // connects and binds first: count the lookups only
    std::string mark = server.mark();
    REQUIRE(ldap->findUser("frank"));
    // user + mobilarbeit + telearbeit (contains mobilarbeit) + a level that finds nothing new
    CHECK(server.requestsSince(mark) == "SRCH=4 BIND=0");
    options.groupMode = "member_of";
    auto memberOf = directory(options);
    memberOf->findUser("erin");
    mark = server.mark();
    REQUIRE(memberOf->findUser("frank"));
    CHECK(server.requestsSince(mark) == "SRCH=1 BIND=0");
  }

  TEST_CASE("slapd: memberUid groups (posixGroup vpn)") {
    if (!slapdAvailable()) return;
    Slapd& server = sharedSlapd();
    Config::Ldap options = optionsFor(server, server.ldapsUri());
    options.groupMode = "search";
    options.groupFilter = "(objectClass=posixGroup)";
    options.groupMemberAttribute = "memberUid";
    auto ldap = directory(options);
    CHECK(ldap->findUser("bob")->groups == Groups{"vpn"});
    CHECK(ldap->findUser("alice")->groups.empty());
  }

  TEST_CASE("slapd: passwords: right accepted, wrong and locked rejected, empty never sent") {
    if (!slapdAvailable()) return;
    Slapd& server = sharedSlapd();
    auto ldap = directory(optionsFor(server, server.ldapsUri()));
    Account alice = *ldap->findUser("alice");
    CHECK(ldap->checkPassword(alice, "alice-pw") == PasswordCheck::accepted);
    CHECK(ldap->checkPassword(alice, "bob-pw") == PasswordCheck::rejected);
    CHECK(ldap->checkPassword(alice, "alice-pw ") == PasswordCheck::rejected);
    CHECK(ldap->checkPassword(*ldap->findUser("carol"), "carol-pw") == PasswordCheck::rejected);
    std::string mark = server.mark();
    CHECK(ldap->checkPassword(alice, "") == PasswordCheck::rejected);
    CHECK(server.requestsSince(mark) == "SRCH=0 BIND=0");
    // The password check binds on a connection of its own: the service connection still works.
    CHECK(ldap->findUser("bob"));
  }

  TEST_CASE("slapd: a CA that did not sign the certificate: no connection, no password check") {
    if (!slapdAvailable()) return;
    Slapd& server = sharedSlapd();
    std::string garbage = server.dir() + "/garbage-ca.pem";
    std::ofstream(garbage) << "not a certificate\n";
    for (const std::string& uri : {server.ldapsUri(), server.ldapUri()}) {
      for (const std::string& caFile : {server.otherCa(), garbage}) {
        CAPTURE(uri);
        CAPTURE(caFile);
        Config::Ldap options = optionsFor(server, uri);
        options.caFile = caFile;
        auto ldap = directory(options);
        CHECK_THROWS_AS(ldap->findUser("alice"), DirectoryError);
        Account alice;
        alice.dn = "uid=alice," + server.env("LDAP_PEOPLE");
        CHECK_THROWS_AS(ldap->checkPassword(alice, "alice-pw"), DirectoryError);
      }
    }
  }

  TEST_CASE("slapd: a server certificate from another CA is refused (wrong-ca fixture)") {
    if (!slapdAvailable()) return;
    Slapd server("wrong-ca");
    for (const std::string& uri : {server.ldapsUri(), server.ldapUri()}) {
      CAPTURE(uri);
      auto ldap = directory(optionsFor(server, uri));
      CHECK_THROWS_AS(ldap->findUser("alice"), DirectoryError);
    }
  }

  TEST_CASE("slapd: refused searches are errors, never 'no such user'") {
    if (!slapdAvailable()) return;
    Slapd& server = sharedSlapd();
    Config::Ldap anonymous = optionsFor(server, server.ldapsUri());
    anonymous.bindDn.clear();  // the fixture refuses anonymous searches
    CHECK_THROWS_AS(directory(anonymous)->findUser("alice"), DirectoryError);

    Config::Ldap wrongBase = optionsFor(server, server.ldapsUri());
    wrongBase.userBase = "ou=nowhere,dc=stadt,dc=example";
    CHECK_THROWS_AS(directory(wrongBase)->findUser("alice"), DirectoryError);
  }

  TEST_CASE("slapd: a wrong service password fails every lookup") {
    if (!slapdAvailable()) return;
    Slapd& server = sharedSlapd();
    Config::Ldap options = optionsFor(server, server.ldapsUri());
    options.bindPasswordFile = server.env("LDAP_ADMIN_PASSWORD_FILE");
    CHECK_THROWS_WITH_AS(directory(options)->findUser("alice"),
                         doctest::Contains("Invalid credentials"), DirectoryError);
  }

  TEST_CASE("slapd: an ambiguous login logs nobody on") {
    if (!slapdAvailable()) return;
    Slapd& server = sharedSlapd();
    Config::Ldap options = optionsFor(server, server.ldapsUri());
    options.loginAttribute = "gidNumber";  // every seeded person has gidNumber 20000
    CHECK_THROWS_WITH_AS(directory(options)->findUser("20000"), doctest::Contains("ambiguous"),
                         DirectoryError);
  }

  TEST_CASE("slapd: an entry without the id attribute is a configuration error") {
    if (!slapdAvailable()) return;
    Slapd& server = sharedSlapd();
    Config::Ldap options = optionsFor(server, server.ldapsUri());
    options.idAttribute = "employeeNumber";
    CHECK_THROWS_WITH_AS(directory(options)->findUser("alice"), doctest::Contains("employeeNumber"),
                         DirectoryError);
  }

  TEST_CASE("slapd: failover past a dead server, which is skipped until retry_after") {
    if (!slapdAvailable()) return;
    Slapd& server = sharedSlapd();
    {
      Config::Ldap options = optionsFor(server, server.ldapUri());
      options.uris = {authd::testing::refusedLdapUri(), server.ldapUri()};
      auto ldap = directory(options);
      CHECK(ldap->findUser("alice"));
      Account alice = *ldap->findUser("alice");
      CHECK(ldap->checkPassword(alice, "alice-pw") == PasswordCheck::accepted);
    }
    // A first server that answers TCP but cannot do StartTLS counts its connection attempts.
    FakeLdapServer broken(FakeLdapServer::Mode::refuseStartTls);
    Config::Ldap options = optionsFor(server, server.ldapUri());
    options.uris = {broken.uri(), server.ldapUri()};
    options.retryAfter = 30;
    TestClock clock;
    auto ldap = directory(options, clock);
    Account alice = *ldap->findUser("alice");
    CHECK(broken.connections() == 1);
    CHECK(ldap->checkPassword(alice, "alice-pw") == PasswordCheck::accepted);
    CHECK(ldap->findUser("bob"));
    CHECK(broken.connections() == 1);  // skipped while dead, by searches and password checks
    *clock.now += 29;
    CHECK(ldap->checkPassword(alice, "alice-pw") == PasswordCheck::accepted);
    CHECK(broken.connections() == 1);
    *clock.now += 1;  // retry_after passed: tried first again, fails again, next server answers
    CHECK(ldap->checkPassword(alice, "alice-pw") == PasswordCheck::accepted);
    CHECK(broken.connections() == 2);
    *clock.now += 30;
    CHECK(ldap->findUser("bob"));  // the pooled connection tries the preferred server again
    CHECK(broken.connections() == 3);
    CHECK_FALSE(broken.plainRequestSeen());
  }

  TEST_CASE("slapd: a restarted server: the lost pooled connection is replaced") {
    if (!slapdAvailable()) return;
    Slapd server;
    auto ldap = directory(optionsFor(server, server.ldapsUri()));
    REQUIRE(ldap->findUser("alice"));
    REQUIRE(server.restart());
    CHECK(ldap->findUser("alice"));
    REQUIRE(server.stop());
    CHECK_THROWS_WITH_AS(ldap->findUser("alice"), doctest::Contains("no directory server answered"),
                         DirectoryError);
    Account alice;
    alice.dn = "uid=alice," + server.env("LDAP_PEOPLE");
    CHECK_THROWS_AS(ldap->checkPassword(alice, "alice-pw"), DirectoryError);
  }

  TEST_CASE("slapd: concurrent lookups and password checks from several threads") {
    if (!slapdAvailable()) return;
    Slapd& server = sharedSlapd();
    auto ldap = directory(optionsFor(server, server.ldapsUri()));
    std::atomic<int> wrong{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < 6; ++t) {
      workers.emplace_back([&, t] {
        const std::string name = t % 2 == 0 ? "alice" : "dave";
        for (int i = 0; i < 10; ++i) {
          std::optional<Account> account = ldap->findUser(name);
          if (!account || account->name != name) ++wrong;
          if (account && ldap->checkPassword(*account, name + "-pw") != PasswordCheck::accepted) {
            ++wrong;
          }
        }
      });
    }
    for (std::thread& worker : workers) worker.join();
    CHECK(wrong == 0);
  }
}
