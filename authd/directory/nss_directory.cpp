#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "authd/directory/directory.h"

namespace authd {

namespace {

constexpr int kMaxGroups = 4096;

std::vector<std::string> groupNames(const char* user, gid_t primary) {
  int count = 64;
  std::vector<gid_t> gids(static_cast<std::size_t>(count));
  while (::getgrouplist(user, primary, gids.data(), &count) < 0) {
    if (count <= static_cast<int>(gids.size()) || count > kMaxGroups) {
      throw DirectoryError("getgrouplist failed for a user");
    }
    gids.resize(static_cast<std::size_t>(count));
  }
  gids.resize(static_cast<std::size_t>(count));

  std::vector<std::string> names;
  std::vector<char> buffer(16384);
  for (gid_t gid : gids) {
    group entry{};
    group* result = nullptr;
    int rc = ::getgrgid_r(gid, &entry, buffer.data(), buffer.size(), &result);
    if (rc == ERANGE && buffer.size() < (1u << 20)) {
      buffer.resize(buffer.size() * 4);
      rc = ::getgrgid_r(gid, &entry, buffer.data(), buffer.size(), &result);
    }
    if (rc != 0) throw DirectoryError(std::string("getgrgid_r: ") + std::strerror(rc));
    if (result != nullptr) names.emplace_back(result->gr_name);
  }
  return names;
}

// ENOENT/ESRCH/EBADF/EPERM mean "not found" for several NSS modules (getpwnam_r(3)).
bool meansNotFound(int rc) { return rc == ENOENT || rc == ESRCH || rc == EBADF || rc == EPERM; }

// getgrnam_r with a growing buffer: the group's name, nullopt when there is no such group.
std::optional<std::string> lookupGroupName(const std::string& name) {
  std::vector<char> buffer(16384);
  for (;;) {
    group entry{};
    group* result = nullptr;
    int rc = ::getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &result);
    if (rc == ERANGE && buffer.size() < (1u << 20)) {
      buffer.resize(buffer.size() * 4);
      continue;
    }
    if ((rc == 0 && result == nullptr) || meansNotFound(rc)) return std::nullopt;
    if (rc != 0) throw DirectoryError(std::string("group lookup: ") + std::strerror(rc));
    return std::string(result->gr_name);
  }
}

// The GECOS field's first comma-separated part is the full name by convention.
std::string firstGecosField(const char* gecos) {
  std::string text = gecos != nullptr ? gecos : "";
  return text.substr(0, text.find(','));
}

// Runs getpwnam_r/getpwuid_r with a growing buffer; nullopt when there is no such account.
template <typename Lookup>
std::optional<Account> lookupPasswd(Lookup lookup) {
  std::vector<char> buffer(16384);
  for (;;) {
    passwd entry{};
    passwd* result = nullptr;
    int rc = lookup(&entry, buffer.data(), buffer.size(), &result);
    if (rc == ERANGE && buffer.size() < (1u << 20)) {
      buffer.resize(buffer.size() * 4);
      continue;
    }
    if ((rc == 0 && result == nullptr) || meansNotFound(rc)) return std::nullopt;
    if (rc != 0) throw DirectoryError(std::string("passwd lookup: ") + std::strerror(rc));
    Account account;
    account.name = result->pw_name;
    account.uid = result->pw_uid;
    account.id = "nss:" + std::to_string(result->pw_uid);
    account.displayName = firstGecosField(result->pw_gecos);
    account.groups = groupNames(result->pw_name, result->pw_gid);
    return account;
  }
}

class NssDirectory final : public Directory {
 public:
  std::optional<Account> findUser(const std::string& name) override {
    return lookupPasswd([&](passwd* e, char* b, std::size_t n, passwd** r) {
      return ::getpwnam_r(name.c_str(), e, b, n, r);
    });
  }
  std::optional<Account> findUid(uid_t uid) override {
    return lookupPasswd([&](passwd* e, char* b, std::size_t n, passwd** r) {
      return ::getpwuid_r(uid, e, b, n, r);
    });
  }
  // Local passwords belong to PAM's own modules (pam_unix), not to authd.
  PasswordCheck checkPassword(const Account&, std::string_view) override {
    return PasswordCheck::unsupported;
  }
  std::optional<Group> findGroup(const std::string& name) override {
    std::optional<std::string> found = lookupGroupName(name);
    if (!found) return std::nullopt;
    return Group{*found, false};
  }
};

}  // namespace

std::unique_ptr<Directory> makeNssDirectory() { return std::make_unique<NssDirectory>(); }

}  // namespace authd
