#include "authd/directory/ldap/ldap_groups.h"

#include <algorithm>
#include <set>

#include "authd/directory/ldap/ldap_dn.h"
#include "authd/directory/ldap/ldap_filter.h"

namespace authd {

namespace {

constexpr int kGroupNameLimit = 16;

std::string groupSearchBase(const Config::Ldap& options) {
  return options.groupBase.empty() ? options.userBase : options.groupBase;
}

// A group entry's names: its DN's first-RDN value when that RDN is groupNameAttribute, else (in
// search mode only) its groupNameAttribute values.
std::vector<std::string> groupEntryNames(const LdapEntry& group, const Config::Ldap& options) {
  if (auto name = firstRdnValue(group.dn, options.groupNameAttribute)) return {*name};
  const std::vector<std::string>* values = group.find(options.groupNameAttribute);
  if (values == nullptr || options.groupMode == "member_of") return {};
  return *values;
}

class GroupCollector {
 public:
  GroupCollector(LdapSearcher& searcher, const Config::Ldap& options)
      : searcher_(searcher), options_(options) {}

  // Searches groups with a member among `members`; returns the DNs of groups not seen before.
  std::vector<std::string> level(const std::vector<std::string>& members) {
    SearchRequest request{
        groupSearchBase(options_),
        memberSearchFilter(options_.groupFilter, options_.groupMemberAttribute, members),
        {options_.groupNameAttribute},
        static_cast<int>(kMaxGroups + 1)};
    SearchResult result = searcher_.search(request);
    std::vector<std::string> fresh;
    for (const LdapEntry& group : result.entries) {
      if (!seen_.insert(asciiLower(group.dn)).second) continue;
      fresh.push_back(group.dn);
      addNames(group);
    }
    if (result.truncated || seen_.size() > kMaxGroups) {
      throw DirectoryError("account is in more than " + std::to_string(kMaxGroups) + " groups");
    }
    return fresh;
  }

  std::vector<std::string> names() && { return std::move(names_); }

 private:
  void addNames(const LdapEntry& group) {
    for (const std::string& name : groupEntryNames(group, options_)) addName(name);
  }
  void addName(const std::string& name) {  // one spelling per group name, as LDAP matches them
    if (std::none_of(names_.begin(), names_.end(),
                     [&](const std::string& n) { return equalsIgnoringCase(n, name); })) {
      names_.push_back(name);
    }
  }

  LdapSearcher& searcher_;
  const Config::Ldap& options_;
  std::set<std::string> seen_;  // group DNs, lower case
  std::vector<std::string> names_;
};

bool membersAreNames(const Config::Ldap& options) {
  return equalsIgnoringCase(options.groupMemberAttribute, "memberUid");
}

}  // namespace

bool membershipsVisible(LdapSearcher& searcher, const Config::Ldap& options) {
  bool memberOf = options.groupMode == "member_of";
  SearchRequest probe{memberOf ? options.userBase : groupSearchBase(options),
                      memberOf ? presenceFilter(options.userFilter, options.memberOfAttribute)
                               : presenceFilter(options.groupFilter, options.groupMemberAttribute),
                      {"1.1"},  // RFC 4511 §4.5.1.8: no attributes
                      1};
  SearchResult result = searcher.search(probe);
  return !result.entries.empty() || result.truncated;
}

std::optional<std::string> findGroupName(LdapSearcher& searcher, const Config::Ldap& options,
                                         const std::string& name) {
  bool memberOf = options.groupMode == "member_of";
  SearchRequest request{
      groupSearchBase(options),
      equalityFilter(memberOf ? "" : options.groupFilter, options.groupNameAttribute, name),
      {options.groupNameAttribute},
      kGroupNameLimit};
  std::optional<std::string> spelledOtherwise;
  for (const LdapEntry& group : searcher.search(request).entries) {
    for (const std::string& candidate : groupEntryNames(group, options)) {
      if (equalsIgnoringCase(candidate, name)) return candidate;
      if (!spelledOtherwise) spelledOtherwise = candidate;
    }
  }
  return spelledOtherwise;
}

std::vector<std::string> searchGroups(LdapSearcher& searcher, const Config::Ldap& options,
                                      const Account& account) {
  GroupCollector collector(searcher, options);
  bool byName = membersAreNames(options);
  std::vector<std::string> frontier = collector.level({byName ? account.name : account.dn});
  int depth = byName ? 0 : options.nestedDepth;
  for (int nesting = 0; nesting < depth && !frontier.empty(); ++nesting) {
    frontier = collector.level(frontier);
  }
  return std::move(collector).names();
}

}  // namespace authd
