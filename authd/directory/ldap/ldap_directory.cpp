// The `ldap` directory: users, groups and disabled flags from the city's directory.
// findUser runs on a pooled service connection; checkPassword binds as the user on a fresh
// connection of its own, so a user's bind never changes the identity of a service connection.

#include <ldap.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <stdexcept>

#include "authd/directory/ldap/ldap_account.h"
#include "authd/directory/ldap/ldap_connection.h"
#include "authd/directory/ldap/ldap_directory.h"
#include "authd/directory/ldap/ldap_filter.h"
#include "authd/directory/ldap/ldap_groups.h"
#include "authd/directory/ldap/ldap_pool.h"
#include "authd/directory/ldap/ldap_secret_file.h"
#include "authd/directory/ldap/server_selector.h"

namespace authd {

namespace {

// Two entries are enough to tell "one account" from "ambiguous".
constexpr int kUserSizeLimit = 2;

LdapConnectionOptions connectionOptions(const Config::Ldap& options) {
  return {options.caFile, options.allowPlain, options.connectTimeoutMs, options.timeoutMs};
}

class LdapDirectory final : public Directory {
 public:
  LdapDirectory(const Config::Ldap& options, GroupUse groupUse, SecretBytes servicePassword,
                std::unique_ptr<Directory> localAccounts, Clock clock)
      : options_(options),
        groupsDecidePolicy_(groupUse == GroupUse::decidesPolicy),
        servicePassword_(std::move(servicePassword)),
        localAccounts_(std::move(localAccounts)),
        selector_(options.uris, options.retryAfter, std::move(clock)),
        groupsSeen_(std::make_unique<std::atomic<bool>[]>(options.uris.size())),
        pool_(
            selector_, [this](std::size_t server) { return connectService(server); },
            static_cast<std::size_t>(options.poolSize)) {}

  std::optional<Account> findUser(const std::string& name) override {
    if (!isSearchableLogin(name)) return std::nullopt;
    std::optional<Account> account;
    pool_.run([&](LdapSearcher& searcher, std::size_t server) {
      account = lookUp(searcher, server, name);
    });
    return account;
  }

  std::optional<Group> findGroup(const std::string& name) override {
    std::optional<std::string> found;
    pool_.run([&](LdapSearcher& searcher, std::size_t) {
      found = findGroupName(searcher, options_, name);
    });
    if (!found) return std::nullopt;
    return Group{*found, true};  // as accountFromEntry's groups
  }

  std::optional<Account> findUid(uid_t uid) override { return localAccounts_->findUid(uid); }

  PasswordCheck checkPassword(const Account& account, std::string_view password) override {
    // An empty password makes a simple bind "unauthenticated", which servers accept
    // (RFC 4513 §5.1.2): it must never reach the network.
    if (password.empty() || account.dn.empty()) return PasswordCheck::rejected;
    PasswordCheck outcome = PasswordCheck::rejected;
    selector_.tryInOrder([&](std::size_t server) {
      auto connection = LdapConnection::open(selector_.uri(server), connectionOptions(options_));
      int rc = connection->bindStatus(account.dn, password);
      if (isServerFailureCode(rc)) throw LdapFailure(rc, "bind: " + connection->describe(rc));
      // Wrong password (49) and every other refusal (locked, expired, unwilling) reject.
      outcome = rc == LDAP_SUCCESS ? PasswordCheck::accepted : PasswordCheck::rejected;
    });
    return outcome;
  }

 private:
  std::unique_ptr<LdapSearcher> connectService(std::size_t server) {
    auto connection = LdapConnection::open(selector_.uri(server), connectionOptions(options_));
    if (!options_.bindDn.empty()) {
      std::string_view password(reinterpret_cast<const char*>(servicePassword_.data()),
                                servicePassword_.size());
      connection->bind(options_.bindDn, password);
    }
    return connection;
  }

  // One user search (and the group searches of group_mode = "search") on one connection.
  std::optional<Account> lookUp(LdapSearcher& searcher, std::size_t server,
                                const std::string& name) {
    SearchResult found = searcher.search(
        {options_.userBase, userSearchFilter(options_.userFilter, options_.loginAttribute, name),
         userAttributes(options_), kUserSizeLimit});
    if (found.entries.empty() && !found.truncated) return std::nullopt;
    // Two entries answering to one login name: logging on as either would be a guess. Fail
    // (the caller fails secure and the administrator sees why) instead of picking one.
    if (found.entries.size() != 1 || found.truncated) {
      throw DirectoryError("ambiguous login: several directory entries have this " +
                           options_.loginAttribute);
    }
    Account account = accountFromEntry(found.entries.front(), options_, name);
    if (options_.groupMode == "search") account.groups = searchGroups(searcher, options_, account);
    confirmGroupsVisible(searcher, server, account);
    return account;
  }

  // "No groups" is only believable once some lookup has shown groups, or one probe has shown
  // that memberships are visible at all; until then a group policy would exempt everybody.
  // Per server: a replica without the memberof overlay (or with another ACL) shows no
  // memberships however well its peers did.
  void confirmGroupsVisible(LdapSearcher& searcher, std::size_t server, const Account& account) {
    std::atomic<bool>& seen = groupsSeen_[server];
    if (!groupsDecidePolicy_ || seen.load()) return;
    if (account.groups.empty() && !membershipsVisible(searcher, options_)) {
      throw DirectoryError(selector_.uri(server) + ": " + invisibleGroupsMessage());
    }
    seen.store(true);
  }

  std::string invisibleGroupsMessage() const {
    bool memberOf = options_.groupMode == "member_of";
    return "the service account sees no group membership at all (no " +
           (memberOf ? "entry below user_base with " + options_.memberOfAttribute
                     : "group with " + options_.groupMemberAttribute) +
           "): it may not read that attribute" +
           (memberOf ? ", or the memberof overlay is missing" : "") +
           "; refusing to treat accounts as members of no group while [policy] names groups";
  }

  const Config::Ldap options_;
  const bool groupsDecidePolicy_;
  const SecretBytes servicePassword_;
  std::unique_ptr<Directory> localAccounts_;
  ServerSelector selector_;
  std::unique_ptr<std::atomic<bool>[]> groupsSeen_;  // per server (index into uris)
  LdapPool pool_;
};

void require(bool condition, const std::string& message) {
  if (!condition) throw std::runtime_error("ldap: " + message);
}

void validateUri(const std::string& uri) {
  require(uri.find_first_of(" \t,") == std::string::npos,
          "one URI per entry in uris, not a list: " + uri);
  LDAPURLDesc* parsed = nullptr;
  require(ldap_url_parse(uri.c_str(), &parsed) == LDAP_URL_SUCCESS, "not an LDAP URI: " + uri);
  std::string scheme = parsed->lud_scheme != nullptr ? parsed->lud_scheme : "";
  ldap_free_urldesc(parsed);
  require(scheme == "ldap" || scheme == "ldaps", "URI must be ldaps:// or ldap://: " + uri);
}

void validateReadable(const std::string& path, const std::string& what) {
  std::FILE* file = std::fopen(path.c_str(), "r");
  require(file != nullptr, what + " " + path + " cannot be read");
  std::fclose(file);
}

void validate(const Config::Ldap& options) {
  require(!options.uris.empty(), "no server in uris");
  for (const std::string& uri : options.uris) validateUri(uri);
  require(!options.userBase.empty(), "user_base is empty");
  require(!options.loginAttribute.empty() && !options.idAttribute.empty(),
          "login_attribute and id_attribute must be set");
  require(options.groupMode == "member_of" || options.groupMode == "search",
          "group_mode must be member_of or search");
  require(!options.groupNameAttribute.empty(), "group_name_attribute is empty");
  require(options.groupMode != "member_of" || !options.memberOfAttribute.empty(),
          "member_of_attribute is empty");
  require(options.groupMode != "search" || !options.groupMemberAttribute.empty(),
          "group_member_attribute is empty");
  require(options.nestedDepth >= 0, "nested_depth is negative");
  require(options.disabledFlagAttribute.empty() || options.disabledFlagMask != 0,
          "disabled_flag_mask must be non-zero when disabled_flag_attribute is set");
  require(options.connectTimeoutMs > 0 && options.timeoutMs > 0, "timeouts must be positive");
  require(options.retryAfter >= 0, "retry_after is negative");
  require(options.poolSize >= 1, "pool_size must be at least 1");
  require(options.bindDn.empty() || !options.bindPasswordFile.empty(),
          "bind_dn is set but bind_password_file is not");
  if (!options.caFile.empty()) validateReadable(options.caFile, "ca_file");
}

}  // namespace

std::unique_ptr<Directory> makeLdapDirectory(const Config::Ldap& options, GroupUse groupUse,
                                             std::unique_ptr<Directory> localAccounts,
                                             Clock clock) {
  validate(options);
  if (!localAccounts || !clock) throw std::invalid_argument("ldap: local accounts and clock");
  SecretBytes password;
  if (!options.bindDn.empty()) password = readSecretFirstLine(options.bindPasswordFile);
  return std::make_unique<LdapDirectory>(options, groupUse, std::move(password),
                                         std::move(localAccounts), std::move(clock));
}

}  // namespace authd
