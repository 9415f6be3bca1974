#include "fido2/bytes.h"

#include <openssl/crypto.h>

namespace authd::testing {

void wipeBytes(Bytes& bytes) {
  if (!bytes.empty()) OPENSSL_cleanse(bytes.data(), bytes.size());
  bytes.clear();
}

}  // namespace authd::testing
