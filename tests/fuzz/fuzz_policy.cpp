// Property test of the [policy] decision (authd/logon/policy.h): the input builds a policy
// (mfa_groups, default_factors, group rules with factors and user verification) and an account
// (groups, how the directory compares names), and the effective policy must be what
// docs/configuration.md [policy] promises; a violation traps. Names come from a small pool with
// case variants and a non-ASCII pair ("Ä"/"ä", which ASCII case folding keeps apart), so that rules
// often match.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "authd/logon/policy.h"

namespace {

constexpr const char* kNames[] = {"wheel",  "Wheel",    "WHEEL",    "staff",
                                  "amt 53", "\xc3\x84", "\xc3\xa4", ""};
constexpr const char* kFactors[] = {"fido2", "totp"};

void require(bool ok) {
  if (!ok) __builtin_trap();
}

std::string name(FuzzedDataProvider& in) {
  return kNames[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kNames) - 1)];
}

std::vector<std::string> names(FuzzedDataProvider& in, int most) {
  std::vector<std::string> out(in.ConsumeIntegralInRange(0, most));
  for (auto& n : out) n = name(in);
  return out;
}

// Any order, repeats allowed: the configuration lists factors as the administrator wrote them.
std::vector<std::string> factors(FuzzedDataProvider& in) {
  std::vector<std::string> out(in.ConsumeIntegralInRange(0, 3));
  for (auto& f : out) f = kFactors[in.ConsumeIntegralInRange(0, 1)];
  return out;
}

bool listed(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string flipAsciiCase(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z')
      c = static_cast<char>(c - 'a' + 'A');
    else if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

void checkInGroup(const authd::Account& account, const std::string& configured) {
  const bool member = authd::inGroup(account, configured);
  const bool exact = listed(account.groups, configured);
  if (!account.groupNamesIgnoreCase) require(member == exact);  // nss: exact names only
  if (exact) require(member);
  if (account.groupNamesIgnoreCase) {
    require(authd::inGroup(account, flipAsciiCase(configured)) == member);
  }
}

void checkPolicy(const authd::Config::Policy& policy, const authd::Account& account,
                 const authd::EffectivePolicy& out) {
  // Canonical order, no repeats, only known factors.
  std::vector<std::string> canonical;
  for (const char* f : kFactors) {
    if (listed(out.factors, f)) canonical.emplace_back(f);
  }
  require(out.factors == canonical);

  std::vector<const authd::Config::Policy::GroupRule*> matching;
  for (const auto& rule : policy.groups) {
    if (authd::inGroup(account, rule.group)) matching.push_back(&rule);
  }
  if (matching.empty()) {
    // Accounts in none of the ruled groups get default_factors and no UV requirement.
    require(out.rules == std::vector<std::string>{"default"});
    for (const char* f : kFactors) require(out.allows(f) == listed(policy.defaultFactors, f));
    require(!out.uvRequired);
  } else {
    // Only the factors every matching rule allows; UV when any matching rule requires it.
    std::vector<std::string> applied;
    bool uv = false;
    for (const auto* rule : matching) {
      applied.push_back(rule->group);
      uv = uv || rule->uvRequired;
    }
    require(out.rules == applied);
    require(out.uvRequired == uv);
    for (const char* f : kFactors) {
      const bool everyRule = std::all_of(matching.begin(), matching.end(), [&](const auto* rule) {
        return listed(rule->factors, f);
      });
      require(out.allows(f) == everyRule);
    }
  }

  // MFA: everyone when mfa_groups is empty, else exactly the members of one of them.
  if (policy.mfaGroups.empty()) {
    require(out.mfaRequired && out.mfaBecause == std::vector<std::string>{"everyone"});
  } else {
    const bool member = std::any_of(policy.mfaGroups.begin(), policy.mfaGroups.end(),
                                    [&](const auto& g) { return authd::inGroup(account, g); });
    require(out.mfaRequired == member);
    require(out.mfaRequired == !out.mfaBecause.empty());
    for (const auto& g : out.mfaBecause) require(listed(policy.mfaGroups, g));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  authd::Config::Policy policy;
  policy.mfaGroups = names(in, 3);
  policy.defaultFactors = factors(in);
  policy.groups.resize(in.ConsumeIntegralInRange(0, 4));
  for (auto& rule : policy.groups) {
    rule.group = name(in);
    rule.factors = factors(in);
    rule.uvRequired = in.ConsumeBool();
  }
  authd::Account account;
  account.name = "alice";
  account.groupNamesIgnoreCase = in.ConsumeBool();
  account.groups = names(in, 4);
  const std::string extra = name(in);

  for (const char* n : kNames) checkInGroup(account, n);
  const authd::EffectivePolicy before = authd::effectivePolicy(policy, account);
  checkPolicy(policy, account, before);

  // One more group never loosens what applies: MFA and UV stay, and once a rule applies, factors
  // only narrow. (An account that matched no rule gets the new rule's factors instead of
  // default_factors: rules replace the defaults, docs/configuration.md [policy].)
  authd::Account joined = account;
  joined.groups.push_back(extra);
  const authd::EffectivePolicy after = authd::effectivePolicy(policy, joined);
  checkPolicy(policy, joined, after);
  if (before.mfaRequired) require(after.mfaRequired);
  if (before.uvRequired) require(after.uvRequired);
  if (before.rules != std::vector<std::string>{"default"}) {
    for (const auto& f : after.factors) require(before.allows(f));
  }
  return 0;
}
