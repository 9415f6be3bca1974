#include "fido2/credential_store.h"

#include <algorithm>

namespace authd::testing {

const Credential& CredentialStore::add(Credential credential) {
  if (credential.resident) {
    std::erase_if(credentials_, [&](const Credential& c) {
      return c.resident && c.rpId == credential.rpId && c.userId == credential.userId;
    });
  }
  credentials_.push_back(std::move(credential));
  return credentials_.back();
}

const Credential* CredentialStore::find(ByteView id, std::string_view rpId) const {
  for (const Credential& c : credentials_) {
    if (c.rpId == rpId && std::ranges::equal(c.id, id)) return &c;
  }
  return nullptr;
}

std::vector<const Credential*> CredentialStore::residentFor(std::string_view rpId) const {
  std::vector<const Credential*> found;
  for (const Credential& c : credentials_) {
    if (c.resident && c.rpId == rpId) found.push_back(&c);
  }
  return found;
}

}  // namespace authd::testing
