#include "authd/wipe.h"

#include <string.h>  // explicit_bzero: clients such as the PAM module do not link libcrypto

namespace authd {

void wipeString(std::string& text) {
  // Growing to the capacity never reallocates and makes the whole buffer legally writable, so
  // bytes left over from a longer earlier content are wiped too.
  text.resize(text.capacity());
  if (!text.empty()) explicit_bzero(text.data(), text.size());
  text.clear();
}

}  // namespace authd
