#include "authd/logon/policy.h"

#include <algorithm>
#include <set>

#include "authd/base/ascii.h"

namespace authd {

namespace {

bool sameGroupName(std::string_view a, std::string_view b, bool ignoreCase) {
  return ignoreCase ? equalsIgnoringCase(a, b) : a == b;
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// Keeps the canonical order (fido2 first) whatever order the configuration lists.
std::vector<std::string> canonical(const std::vector<std::string>& factors) {
  std::vector<std::string> out;
  for (const char* f : {"fido2", "totp"}) {
    if (contains(factors, f)) out.emplace_back(f);
  }
  return out;
}

void applyMfaRule(const Config::Policy& policy, const Account& account, EffectivePolicy* out) {
  if (policy.mfaGroups.empty()) {
    out->mfaBecause = {"everyone"};
    return;
  }
  for (const auto& group : policy.mfaGroups) {
    if (inGroup(account, group)) out->mfaBecause.push_back(group);
  }
  out->mfaRequired = !out->mfaBecause.empty();
}

}  // namespace

bool inGroup(const Account& account, std::string_view configured) {
  return std::any_of(account.groups.begin(), account.groups.end(), [&](const std::string& group) {
    return sameGroupName(group, configured, account.groupNamesIgnoreCase);
  });
}

std::vector<std::string> policyGroupProblems(const Config::Policy& policy, Directory& directory) {
  std::vector<std::string> names = policy.mfaGroups;
  for (const auto& rule : policy.groups) names.push_back(rule.group);
  std::vector<std::string> problems;
  std::set<std::string> checked;
  for (const std::string& name : names) {
    if (!checked.insert(name).second) continue;
    std::optional<Group> group = directory.findGroup(name);
    if (!group) {
      problems.push_back("group \"" + name + "\" does not exist in the directory");
    } else if (!sameGroupName(group->name, name, group->namesIgnoreCase)) {
      problems.push_back("group \"" + name + "\" is spelled \"" + group->name +
                         "\" in the directory, and [policy] compares " +
                         (group->namesIgnoreCase ? "ignoring the case of ASCII letters only"
                                                 : "group names exactly"));
    }
  }
  return problems;
}

bool EffectivePolicy::allows(const std::string& factor) const { return contains(factors, factor); }

EffectivePolicy effectivePolicy(const Config::Policy& policy, const Account& account,
                                const Config::Offline& offline) {
  EffectivePolicy out;
  std::vector<std::string> allowed = {"fido2", "totp"};
  out.offlineAllowed = true;
  out.offlineMaxAgeDays = offline.maxAgeDays;
  for (const auto& rule : policy.groups) {
    if (!inGroup(account, rule.group)) continue;
    out.offlineAllowed = out.offlineAllowed && rule.offline.value_or(offline.allowed);
    out.offlineMaxAgeDays =
        std::min(out.offlineMaxAgeDays, rule.offlineMaxAgeDays.value_or(offline.maxAgeDays));
    std::vector<std::string> narrowed;
    for (const auto& f : allowed) {
      if (contains(rule.factors, f)) narrowed.push_back(f);
    }
    allowed = std::move(narrowed);
    out.uvRequired = out.uvRequired || rule.uvRequired;
    out.rules.push_back(rule.group);
  }
  if (out.rules.empty()) {
    allowed = policy.defaultFactors;
    out.rules = {"default"};
    out.offlineAllowed = offline.allowed;
  }
  out.factors = canonical(allowed);
  out.offlineAllowed = out.offlineAllowed && out.allows("fido2");
  out.offlineUvRequired = offline.uvRequired || out.uvRequired;
  if (!out.offlineAllowed) out.offlineMaxAgeDays = 0;
  applyMfaRule(policy, account, &out);
  return out;
}

}  // namespace authd
