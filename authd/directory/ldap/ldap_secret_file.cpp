#include "authd/directory/ldap/ldap_secret_file.h"

#include "authd/base/secret_file.h"

namespace authd {

SecretBytes readSecretFirstLine(const std::string& path) {
  return readSecretFirstLine(path, "bind password file");
}

}  // namespace authd
