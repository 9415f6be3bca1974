#pragma once
// Credentials held by one soft authenticator: in memory, lost on destruction like a reset key,
// unless the key has a state file (state_file.h).

#include <string>
#include <vector>

#include "fido2/bytes.h"
#include "fido2/credential_key.h"

namespace authd::testing {

struct Credential {
  Bytes id;
  std::string rpId;
  Bytes userId;
  std::string userName;
  std::string displayName;
  bool resident = false;
  CredentialKey key;
};

class CredentialStore {
 public:
  // A resident credential replaces an earlier resident one for the same rp and user.
  const Credential& add(Credential credential);
  const Credential* find(ByteView id, std::string_view rpId) const;
  std::vector<const Credential*> residentFor(std::string_view rpId) const;
  size_t size() const { return credentials_.size(); }
  const std::vector<Credential>& all() const { return credentials_; }
  void clear() { credentials_.clear(); }

 private:
  std::vector<Credential> credentials_;
};

}  // namespace authd::testing
