#include "authd/directory/ldap/ldap_secret_file.h"

#include <algorithm>
#include <stdexcept>

#include "authd/base/secret_file.h"

namespace authd {

SecretBytes readSecretFirstLine(const std::string& path) {
  const SecretBytes content = readSecretFile(path, "bind password file");
  const unsigned char* begin = content.data();
  const unsigned char* end = std::find(begin, begin + content.size(), '\n');
  if (end != begin && end[-1] == '\r') --end;
  if (end == begin) {
    throw std::runtime_error("bind password file " + path + ": the first line is empty");
  }
  return SecretBytes(begin, static_cast<std::size_t>(end - begin));
}

}  // namespace authd
