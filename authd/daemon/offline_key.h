#pragma once
// The central authd's offline signing key (docs/offline.md): an Ed25519 key whose 32-byte seed
// lives in offline.signing_key_file under the rules of the sealing key (key_file.h: created 0600
// on first use, refused when a symlink, not authd's, group/other accessible or not 32 bytes).
// Devices verify offline entries with its public half, which `authd --offline-public-key` prints.

#include <openssl/evp.h>

#include <memory>
#include <optional>
#include <string>

#include "authd/base/random.h"

namespace authd {

struct EvpPkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using OfflineSigningKey = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

std::optional<OfflineSigningKey> loadOrCreateOfflineKey(const std::string& path,
                                                        const Random& random, std::string* error);

// The public half as PEM (SubjectPublicKeyInfo), what devices are given.
std::string offlinePublicKeyPem(EVP_PKEY* key);

}  // namespace authd
