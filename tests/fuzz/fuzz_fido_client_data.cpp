// Fuzzes the client data check (authd/fido2/client_data.h). Input: one control byte (bit 0: logon
// or registration, bit 1: the CTAP hash form), then the clientDataJSON text or the hash. Whatever
// is accepted must carry the fixed challenge: the hash form is the challenge itself, the JSON
// form hashes to the returned value.
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "authd/fido2/client_data.h"

using namespace authd::fido2;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const authd::Bytes challenge(32, 0x5a);  // base64url: WlpaWlpa…
  static const std::vector<std::string> origins = {"https://mfa.example.org"};
  const Ceremony ceremony = (data[0] & 1) != 0 ? Ceremony::registration : Ceremony::authentication;
  ClientData clientData;
  if ((data[0] & 2) != 0) {
    clientData.hash = authd::Bytes(data + 1, data + size);
  } else {
    clientData.json = std::string(reinterpret_cast<const char*>(data + 1), size - 1);
  }
  const auto hash = checkClientData(clientData, challenge, origins, ceremony);
  if (!hash) return 0;
  if (clientData.hash) {
    if (*clientData.hash != challenge) __builtin_trap();
    return 0;
  }
  unsigned char expected[SHA256_DIGEST_LENGTH];
  SHA256(data + 1, size - 1, expected);
  if (CRYPTO_memcmp(expected, hash->data(), sizeof expected) != 0) __builtin_trap();
  const auto json = nlohmann::json::parse(*clientData.json, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() ||
      json.value("challenge", "") != "WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlo")
    __builtin_trap();
  return 0;
}
