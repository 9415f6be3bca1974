#pragma once
// Where accounts come from. `nss` (getpwnam_r/getgrouplist) is the embedded default; the LDAP
// backend arrives with its own issue. Lookups may block: call them off the I/O threads.

#include <sys/types.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace authd {

// The directory could not answer (as opposed to "no such account"); callers fail secure.
class DirectoryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Account {
  std::string name;
  uid_t uid = 0;
  std::vector<std::string> groups;  // primary and supplementary group names
};

class Directory {
 public:
  virtual ~Directory() = default;
  virtual std::optional<Account> findUser(const std::string& name) = 0;
  virtual std::optional<Account> findUid(uid_t uid) = 0;
};

std::unique_ptr<Directory> makeNssDirectory();

}  // namespace authd
