#include "enrollment/wipe.h"

#include <openssl/crypto.h>

namespace authd {

void wipeString(std::string& text) {
  // Growing to the capacity never reallocates and makes the whole buffer legally writable, so
  // bytes left over from a longer earlier content are wiped too.
  text.resize(text.capacity());
  if (!text.empty()) OPENSSL_cleanse(text.data(), text.size());
  text.clear();
}

}  // namespace authd
