#include "authd/directory/ldap/ldap_groups.h"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

using namespace authd;

namespace {

// A directory of groups: group DN → member values. Answers member filters the way a server
// would, and records every request.
class GroupDirectory final : public LdapSearcher {
 public:
  std::map<std::string, std::vector<std::string>> members;
  std::vector<SearchRequest> requests;

  SearchResult search(const SearchRequest& request) override {
    requests.push_back(request);
    SearchResult result;
    for (const auto& [dn, values] : members) {
      for (const std::string& value : values) {
        if (request.filter.find("=" + value + ")") != std::string::npos) {
          LdapEntry& group = result.entries.emplace_back();
          group.dn = dn;
          group.add("cn", dn.substr(3, dn.find(',') - 3));
          break;
        }
      }
    }
    if (static_cast<int>(result.entries.size()) > request.sizeLimit) {
      result.entries.resize(static_cast<std::size_t>(request.sizeLimit));
      result.truncated = true;
    }
    return result;
  }
};

// Answers every search with `entries` anonymous entries; records the requests.
class ProbeAnswer final : public LdapSearcher {
 public:
  explicit ProbeAnswer(std::size_t entries, bool truncated = false)
      : entries_(entries), truncated_(truncated) {}
  std::vector<SearchRequest> requests;

  SearchResult search(const SearchRequest& request) override {
    requests.push_back(request);
    SearchResult result;
    result.entries.resize(entries_);
    result.truncated = truncated_;
    return result;
  }

 private:
  std::size_t entries_;
  bool truncated_;
};

// Answers every search with entries of these DNs (each with `cn` = `name` when given).
class Entries final : public LdapSearcher {
 public:
  explicit Entries(std::vector<std::string> dns, std::string name = "")
      : dns_(std::move(dns)), name_(std::move(name)) {}
  std::vector<SearchRequest> requests;

  SearchResult search(const SearchRequest& request) override {
    requests.push_back(request);
    SearchResult result;
    for (const std::string& dn : dns_) {
      LdapEntry& entry = result.entries.emplace_back();
      entry.dn = dn;
      if (!name_.empty()) entry.add("cn", name_);
    }
    return result;
  }

 private:
  std::vector<std::string> dns_;
  std::string name_;
};

constexpr const char* kGroups = "ou=groups,dc=x";

std::string group(const std::string& name) { return "cn=" + name + "," + kGroups; }

Config::Ldap searchMode(int nestedDepth) {
  Config::Ldap options;
  options.userBase = "dc=x";
  options.groupBase = kGroups;
  options.groupMode = "search";
  options.nestedDepth = nestedDepth;
  return options;
}

Account frank() {
  Account account;
  account.name = "frank";
  account.dn = "uid=frank,ou=people,dc=x";
  return account;
}

GroupDirectory cityGroups() {
  GroupDirectory directory;
  directory.members[group("mobilarbeit")] = {"uid=frank,ou=people,dc=x"};
  directory.members[group("telearbeit")] = {"uid=bob,ou=people,dc=x", group("mobilarbeit")};
  directory.members[group("alle")] = {group("telearbeit")};
  directory.members[group("vpn")] = {"bob"};
  return directory;
}

using Names = std::vector<std::string>;

}  // namespace

TEST_SUITE("ldap") {
  TEST_CASE("groups by search: one search under groupBase for the user's DN") {
    GroupDirectory directory = cityGroups();
    CHECK(searchGroups(directory, searchMode(0), frank()) == Names{"mobilarbeit"});
    REQUIRE(directory.requests.size() == 1);
    const SearchRequest& request = directory.requests.front();
    CHECK(request.base == kGroups);
    CHECK(request.filter ==
          "(&(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))"
          "(|(member=uid=frank,ou=people,dc=x)))");
    CHECK(request.attributes == Names{"cn"});
  }

  TEST_CASE("groups by search: groupBase defaults to userBase") {
    GroupDirectory directory = cityGroups();
    Config::Ldap options = searchMode(0);
    options.groupBase.clear();
    searchGroups(directory, options, frank());
    CHECK(directory.requests.front().base == "dc=x");
  }

  TEST_CASE("nested groups: one search per level for the new groups only") {
    GroupDirectory directory = cityGroups();
    CHECK(searchGroups(directory, searchMode(1), frank()) == Names{"mobilarbeit", "telearbeit"});
    REQUIRE(directory.requests.size() == 2);
    CHECK(directory.requests[1].filter.find("(|(member=cn=mobilarbeit,ou=groups,dc=x))") !=
          std::string::npos);

    GroupDirectory deeper = cityGroups();
    CHECK(searchGroups(deeper, searchMode(5), frank()) ==
          Names{"mobilarbeit", "telearbeit", "alle"});
    CHECK(deeper.requests.size() == 4);  // 3 levels found groups, the 4th found nothing new
  }

  TEST_CASE("nested groups: a cycle ends the walk") {
    GroupDirectory directory = cityGroups();
    directory.members[group("mobilarbeit")].push_back(group("alle"));
    CHECK(searchGroups(directory, searchMode(10), frank()) ==
          Names{"mobilarbeit", "telearbeit", "alle"});
    CHECK(directory.requests.size() == 4);
  }

  TEST_CASE("no groups: one search, empty list") {
    GroupDirectory directory = cityGroups();
    Account erin = frank();
    erin.dn = "uid=erin,ou=people,dc=x";
    CHECK(searchGroups(directory, searchMode(3), erin).empty());
    CHECK(directory.requests.size() == 1);
  }

  TEST_CASE("memberUid: the login name is the member value, never nested") {
    GroupDirectory directory = cityGroups();
    Config::Ldap options = searchMode(3);
    options.groupFilter = "(objectClass=posixGroup)";
    options.groupMemberAttribute = "memberUid";
    Account bob = frank();
    bob.name = "bob";
    bob.dn = "uid=bob,ou=people,dc=x";
    CHECK(searchGroups(directory, options, bob) == Names{"vpn"});
    REQUIRE(directory.requests.size() == 1);
    CHECK(directory.requests.front().filter == "(&(objectClass=posixGroup)(|(memberUid=bob)))");
  }

  TEST_CASE("the member value is escaped") {
    GroupDirectory directory;
    Account odd = frank();
    odd.dn = "uid=a*)(x,dc=x";
    searchGroups(directory, searchMode(0), odd);
    CHECK(directory.requests.front().filter.find("(member=uid=a\\2A\\29\\28x,dc=x)") !=
          std::string::npos);
  }

  TEST_CASE("more than 1000 groups fail the lookup instead of cutting the list") {
    GroupDirectory directory;
    for (std::size_t i = 0; i <= kMaxGroups; ++i) {
      directory.members[group("g" + std::to_string(i))] = {"uid=frank,ou=people,dc=x"};
    }
    CHECK_THROWS_AS(searchGroups(directory, searchMode(0), frank()), DirectoryError);
    CHECK(directory.requests.front().sizeLimit == static_cast<int>(kMaxGroups) + 1);
  }

  TEST_CASE("the 1000-group cap counts nested levels too") {
    GroupDirectory directory;
    directory.members[group("top")] = {"uid=frank,ou=people,dc=x"};
    for (std::size_t i = 0; i < kMaxGroups; ++i) {
      directory.members[group("n" + std::to_string(i))] = {group("top")};
    }
    CHECK_THROWS_AS(searchGroups(directory, searchMode(1), frank()), DirectoryError);
    GroupDirectory flat = directory;
    flat.requests.clear();
    CHECK(searchGroups(flat, searchMode(0), frank()) == Names{"top"});
  }

  TEST_CASE("a group named by another RDN type takes its name attribute's values") {
    GroupDirectory directory;
    directory.members["ou=team,dc=x"] = {"uid=frank,ou=people,dc=x"};
    CHECK(searchGroups(directory, searchMode(0), frank()) == Names{"team"});
  }

  TEST_CASE("two groups whose names differ only in case give one name, as LDAP matches them") {
    GroupDirectory directory;
    directory.members[group("team")] = {"uid=frank,ou=people,dc=x"};
    directory.members["cn=TEAM,ou=other,dc=x"] = {"uid=frank,ou=people,dc=x"};
    CHECK(searchGroups(directory, searchMode(0), frank()).size() == 1);
  }

  TEST_CASE("visibility probe: member_of asks below userBase for one account with memberOf") {
    ProbeAnswer answer(1);
    Config::Ldap options;
    options.userBase = "ou=people,dc=x";
    options.groupBase = kGroups;
    CHECK(membershipsVisible(answer, options));
    REQUIRE(answer.requests.size() == 1);
    CHECK(answer.requests[0].base == "ou=people,dc=x");
    CHECK(answer.requests[0].filter == "(&(objectClass=inetOrgPerson)(memberOf=*))");
    CHECK(answer.requests[0].attributes == Names{"1.1"});
    CHECK(answer.requests[0].sizeLimit == 1);
  }

  TEST_CASE("visibility probe: search mode asks below groupBase for one group with a member") {
    ProbeAnswer answer(1);
    CHECK(membershipsVisible(answer, searchMode(0)));
    REQUIRE(answer.requests.size() == 1);
    CHECK(answer.requests[0].base == kGroups);
    CHECK(answer.requests[0].filter ==
          "(&(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))(member=*))");
  }

  TEST_CASE("visibility probe: nothing found means invisible; a truncated answer means visible") {
    ProbeAnswer none(0);
    CHECK_FALSE(membershipsVisible(none, searchMode(0)));
    ProbeAnswer truncated(0, true);
    CHECK(membershipsVisible(truncated, searchMode(0)));
  }

  TEST_CASE("findGroupName: one search under groupBase for the escaped name") {
    Entries answer({"cn=Telearbeit," + std::string(kGroups)});
    Config::Ldap options;
    options.userBase = "ou=people,dc=x";
    options.groupBase = kGroups;
    CHECK(findGroupName(answer, options, "telearbeit") == "Telearbeit");
    REQUIRE(answer.requests.size() == 1);
    CHECK(answer.requests[0].base == kGroups);
    CHECK(answer.requests[0].filter == "(&(cn=telearbeit))");  // member_of: no group_filter
    CHECK(answer.requests[0].attributes == Names{"cn"});
    CHECK(findGroupName(answer, options, "a*(b)") == "Telearbeit");
    CHECK(answer.requests[1].filter == "(&(cn=a\\2A\\28b\\29))");
    options.groupBase.clear();
    findGroupName(answer, options, "x");
    CHECK(answer.requests[2].base == "ou=people,dc=x");  // no group_base: user_base
  }

  TEST_CASE("findGroupName: search mode within group_filter; names as lookups give them") {
    Entries answer({"ou=team,dc=x"}, "Team");
    CHECK(findGroupName(answer, searchMode(0), "team") == "Team");
    CHECK(answer.requests[0].filter ==
          "(&(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))(cn=team))");
    // member_of mode names groups by their DN's first RDN only: an ou=… entry is no group.
    Config::Ldap memberOf = searchMode(0);
    memberOf.groupMode = "member_of";
    CHECK_FALSE(findGroupName(answer, memberOf, "team"));
  }

  TEST_CASE("findGroupName: a same-case match first, else the server's spelling, else none") {
    const std::string bigA = "\xc3\x84", smallA = "\xc3\xa4";  // Ä, ä in UTF-8
    Entries two({"cn=B\\C3\\84ckerei,dc=x", "cn=b\\C3\\A4ckerei,dc=x"});
    CHECK(findGroupName(two, searchMode(0), "B" + smallA + "CKEREI") == "b" + smallA + "ckerei");
    CHECK(findGroupName(two, searchMode(0), "x" + bigA) == "B" + bigA + "ckerei");
    Entries none({});
    CHECK_FALSE(findGroupName(none, searchMode(0), "x"));
  }
}
