#include "authd/policy.h"

#include <algorithm>

namespace authd {

namespace {

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
    if (contains(account.groups, group)) out->mfaBecause.push_back(group);
  }
  out->mfaRequired = !out->mfaBecause.empty();
}

}  // namespace

bool EffectivePolicy::allows(const std::string& factor) const { return contains(factors, factor); }

EffectivePolicy effectivePolicy(const Config::Policy& policy, const Account& account) {
  EffectivePolicy out;
  std::vector<std::string> allowed = {"fido2", "totp"};
  for (const auto& rule : policy.groups) {
    if (!contains(account.groups, rule.group)) continue;
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
  }
  out.factors = canonical(allowed);
  applyMfaRule(policy, account, &out);
  return out;
}

}  // namespace authd
