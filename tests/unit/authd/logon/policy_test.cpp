#include "authd/logon/policy.h"

#include <doctest/doctest.h>

#include <map>

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

const std::string kBigUmlautA = "\xc3\x84";    // Ä in UTF-8
const std::string kSmallUmlautA = "\xc3\xa4";  // ä

Config::Policy cityPolicy() {
  Config::Policy p;
  p.groups = {{"gesundheitsamt", {"fido2"}, true, {}, {}},
              {"telearbeit", {"totp", "fido2"}, false, {}, {}},
              {"extern", {"totp"}, false, {}, {}}};
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

TEST_CASE("ldap group names match ignoring ASCII case; nss names exactly") {
  Config::Policy p = cityPolicy();
  p.mfaGroups = {"gesundheitsamt", "Telearbeit"};
  Account ldap = member({"Gesundheitsamt", "TELEARBEIT"});
  ldap.groupNamesIgnoreCase = true;
  auto fromLdap = effectivePolicy(p, ldap);
  CHECK(fromLdap.mfaRequired);
  CHECK(fromLdap.mfaBecause == Strings{"gesundheitsamt", "Telearbeit"});
  CHECK(fromLdap.factors == Strings{"fido2"});  // both rules applied
  CHECK(fromLdap.uvRequired);
  CHECK(fromLdap.rules == Strings{"gesundheitsamt", "telearbeit"});
  // Unix group names are case-sensitive: "Gesundheitsamt" is another group.
  auto fromNss = effectivePolicy(p, member({"Gesundheitsamt", "TELEARBEIT"}));
  CHECK_FALSE(fromNss.mfaRequired);
  CHECK(fromNss.rules == Strings{"default"});
  // Only ASCII letters fold: "Ä" and "ä" stay different bytes.
  Account umlaut = member({"B" + kBigUmlautA + "ckerei"});
  umlaut.groupNamesIgnoreCase = true;
  CHECK_FALSE(inGroup(umlaut, "b" + kSmallUmlautA + "ckerei"));
  CHECK(inGroup(umlaut, "B" + kBigUmlautA + "CKEREI"));
}

namespace {

// Groups by name as a directory would find them; records the names asked for.
class GroupsOnly final : public Directory {
 public:
  GroupsOnly(std::map<std::string, std::string> groups, bool ignoreCase)
      : groups_(std::move(groups)), ignoreCase_(ignoreCase) {}
  std::vector<std::string> asked;
  bool failing = false;

  std::optional<Account> findUser(const std::string&) override { return std::nullopt; }
  std::optional<Account> findUid(uid_t) override { return std::nullopt; }
  PasswordCheck checkPassword(const Account&, std::string_view) override {
    return PasswordCheck::unsupported;
  }
  std::optional<Group> findGroup(const std::string& name) override {
    asked.push_back(name);
    if (failing) throw DirectoryError("down");
    auto it = groups_.find(name);
    if (it == groups_.end()) return std::nullopt;
    return Group{it->second, ignoreCase_};
  }

 private:
  std::map<std::string, std::string> groups_;  // name asked → the directory's spelling
  bool ignoreCase_;
};

}  // namespace

TEST_CASE("policy groups: each configured name is looked up once; missing ones are named") {
  Config::Policy p = cityPolicy();
  p.mfaGroups = {"gesundheitsamt", "telearbeit", "telearbiet"};
  GroupsOnly directory({{"gesundheitsamt", "gesundheitsamt"}, {"telearbeit", "telearbeit"}}, false);
  CHECK(policyGroupProblems(p, directory) ==
        Strings{"group \"telearbiet\" does not exist in the directory",
                "group \"extern\" does not exist in the directory"});
  CHECK(directory.asked == Strings{"gesundheitsamt", "telearbeit", "telearbiet", "extern"});
  CHECK(policyGroupProblems(Config::Policy{}, directory).empty());
}

TEST_CASE("policy groups: a spelling the policy would not match is a problem") {
  Config::Policy p;
  p.mfaGroups = {"Gesundheitsamt", "b" + kSmallUmlautA + "ckerei"};
  // ldap: the server matched ignoring case; ASCII case is fine, the umlaut's case is not.
  GroupsOnly ldap({{"Gesundheitsamt", "gesundheitsamt"},
                   {"b" + kSmallUmlautA + "ckerei", "B" + kBigUmlautA + "CKEREI"}},
                  true);
  Strings problems = policyGroupProblems(p, ldap);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0] == "group \"b" + kSmallUmlautA + "ckerei\" is spelled \"B" + kBigUmlautA +
                           "CKEREI\" in the directory, and [policy] compares ignoring the case of "
                           "ASCII letters only");
  // nss (a case-insensitive NSS module answered): "Staff" would never match "staff".
  p.mfaGroups = {"Staff"};
  GroupsOnly nss({{"Staff", "staff"}}, false);
  problems = policyGroupProblems(p, nss);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find("compares group names exactly") != std::string::npos);
}

TEST_CASE("offline logon: off by default, on by [offline] or a group rule, every rule must allow") {
  CHECK_FALSE(effectivePolicy(cityPolicy(), member({"staff"})).offlineAllowed);

  Config::Offline on;
  on.allowed = true;
  on.maxAgeDays = 14;
  auto staff = effectivePolicy(cityPolicy(), member({"staff"}), on);
  CHECK(staff.offlineAllowed);
  CHECK(staff.offlineMaxAgeDays == 14);
  CHECK(staff.offlineUvRequired);  // [offline] uv_required defaults to true

  Config::Policy p = cityPolicy();
  p.groups[0].offline = true;  // gesundheitsamt may, with 7 days
  p.groups[0].offlineMaxAgeDays = 7;
  p.groups[1].offline = false;  // telearbeit may not
  const Config::Offline off;    // [offline] allowed = false
  auto health = effectivePolicy(p, member({"gesundheitsamt"}), off);
  CHECK(health.offlineAllowed);
  CHECK(health.offlineMaxAgeDays == 7);
  CHECK_FALSE(effectivePolicy(p, member({"gesundheitsamt", "telearbeit"}), off).offlineAllowed);
  // a rule without `offline` follows [offline] allowed
  CHECK_FALSE(effectivePolicy(p, member({"gesundheitsamt", "extern"}), off).offlineAllowed);

  Config::Offline noUv = on;
  noUv.uvRequired = false;
  CHECK_FALSE(effectivePolicy(cityPolicy(), member({"staff"}), noUv).offlineUvRequired);
  // an online UV rule holds offline too
  p.groups[0].offline.reset();
  CHECK(effectivePolicy(p, member({"gesundheitsamt"}), noUv).offlineUvRequired);
}

TEST_CASE("offline logon needs fido2: a TOTP-only rule never allows it") {
  Config::Offline on;
  on.allowed = true;
  auto ext = effectivePolicy(cityPolicy(), member({"extern"}), on);
  CHECK_FALSE(ext.offlineAllowed);
  CHECK(ext.offlineMaxAgeDays == 0);
}

TEST_CASE("policy groups: a directory that cannot answer throws") {
  Config::Policy p;
  p.mfaGroups = {"staff"};
  GroupsOnly directory({}, false);
  directory.failing = true;
  CHECK_THROWS_AS(policyGroupProblems(p, directory), DirectoryError);
}

TEST_CASE("policy groups against the real NSS: root exists, a made-up name does not") {
  Config::Policy p;
  p.mfaGroups = {"root", "authd-test-no-such-group", "ROOT"};
  auto nss = makeNssDirectory();
  CHECK(nss->findGroup("root")->name == "root");
  CHECK_FALSE(nss->findGroup("root")->namesIgnoreCase);
  CHECK(policyGroupProblems(p, *nss) ==
        Strings{"group \"authd-test-no-such-group\" does not exist in the directory",
                "group \"ROOT\" does not exist in the directory"});
}
