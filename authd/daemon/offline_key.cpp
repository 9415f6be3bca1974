#include "authd/daemon/offline_key.h"

#include <openssl/pem.h>

#include "authd/daemon/key_file.h"

namespace authd {

namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};

}  // namespace

std::optional<OfflineSigningKey> loadOrCreateOfflineKey(const std::string& path,
                                                        const Random& random, std::string* error) {
  std::optional<SecretBytes> seed = loadOrCreateKeyFile(path, random, error);
  if (!seed) return std::nullopt;
  OfflineSigningKey key(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed->data(), seed->size()));
  if (!key) {
    *error = path + ": not usable as an Ed25519 key";
    return std::nullopt;
  }
  return key;
}

std::string offlinePublicKeyPem(EVP_PKEY* key) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) return {};
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return length > 0 ? std::string(data, static_cast<std::size_t>(length)) : std::string();
}

}  // namespace authd
