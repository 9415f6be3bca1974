#pragma once
// Where accounts come from. `nss` (getpwnam_r/getgrouplist) is the embedded default; `ldap`
// (authd/directory/ldap/) reads the city's directory. Lookups may block: call them off the I/O
// threads.

#include <sys/types.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace authd {

// The directory could not answer (as opposed to "no such account"); callers fail secure.
class DirectoryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Account {
  std::string name;  // login name as the directory spells it
  uid_t uid = 0;     // nss: the Unix uid; ldap: 0
  // Stable identity that survives a rename and is never reused by a new account:
  // "nss:<uid>" or "ldap:<entryUUID/objectGUID>". Credentials are bound to it.
  std::string id;
  std::string displayName;
  std::string mail;
  std::string dn;                   // ldap: the entry's DN (password checks bind as it)
  std::vector<std::string> groups;  // group names (nss: primary and supplementary)
  // How [policy] compares these names: nss exactly (Unix group names are case-sensitive), ldap
  // ignoring ASCII case, as the directory itself matches cn.
  bool groupNamesIgnoreCase = false;
  bool disabled = false;  // exists but may not log on (directory rule)
};

// A group as the directory reports it (for the [policy] check at start-up).
struct Group {
  std::string name;              // as the directory spells it
  bool namesIgnoreCase = false;  // as Account::groupNamesIgnoreCase
};

enum class PasswordCheck {
  accepted,
  rejected,     // wrong or empty password, or the account may not bind
  unsupported,  // this backend cannot check passwords (nss)
};

class Directory {
 public:
  virtual ~Directory() = default;
  virtual std::optional<Account> findUser(const std::string& name) = 0;
  // The local account of a socket peer (admin checks): always the local system's view.
  virtual std::optional<Account> findUid(uid_t uid) = 0;
  // The answer when it is at hand without blocking (a fresh cache entry): true, with `found`
  // set as findUser/findUid would set it. False when only asking the directory would tell.
  virtual bool findUserAtHand(const std::string& /*name*/, std::optional<Account>& /*found*/) {
    return false;
  }
  virtual bool findUidAtHand(uid_t /*uid*/, std::optional<Account>& /*found*/) { return false; }
  // Checks `password` for `account` (from findUser) without touching any cached state.
  // Throws DirectoryError when no server answers. Never logs the password.
  virtual PasswordCheck checkPassword(const Account& account, std::string_view password) = 0;
  // The group the directory finds for `name`, or nullopt when there is no such group: for
  // the check that every group [policy] names exists (nss: getgrnam_r; ldap: a search under
  // group_base). Throws DirectoryError when the directory cannot answer, and by default (a
  // directory that cannot look groups up).
  virtual std::optional<Group> findGroup(const std::string& name) {
    throw DirectoryError("this directory cannot look up group " + name);
  }
};

std::unique_ptr<Directory> makeNssDirectory();

}  // namespace authd
