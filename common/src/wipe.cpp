#include "authd/wipe.h"

#include <string.h>  // explicit_bzero: clients such as the PAM module do not link libcrypto

#include <nlohmann/json.hpp>

namespace authd {

void wipeString(std::string& text) {
  // Growing to the capacity never reallocates and makes the whole buffer legally writable, so
  // bytes left over from a longer earlier content are wiped too.
  text.resize(text.capacity());
  if (!text.empty()) explicit_bzero(text.data(), text.size());
  text.clear();
}

void wipeSecretFields(nlohmann::json& object) {
  if (!object.is_object()) return;
  for (const char* key : {"code", "password", "pin", "secret", "uri"}) {
    auto it = object.find(key);
    if (it != object.end() && it->is_string()) wipeString(it->get_ref<std::string&>());
  }
}

std::string takeLine(std::string& text) {
  std::string line;
  line.reserve(text.size() + 1);
  line.append(text).push_back('\n');
  wipeString(text);
  return line;
}

}  // namespace authd
