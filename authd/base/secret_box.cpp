#include "authd/base/secret_box.h"

#include <openssl/evp.h>

#include <limits>
#include <memory>
#include <stdexcept>

namespace authd {

namespace {

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherCtx newCtx() {
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!ctx) throw std::runtime_error("EVP_CIPHER_CTX_new failed");
  return ctx;
}

int toInt(std::size_t n) {
  if (n > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw std::length_error("secret too large");
  }
  return static_cast<int>(n);
}

}  // namespace

SecretBox::SecretBox(SecretBytes key, Random random)
    : key_(std::move(key)), random_(std::move(random)) {
  if (key_.size() != kKeyBytes) throw std::invalid_argument("SecretBox needs a 32-byte key");
}

std::vector<unsigned char> SecretBox::seal(const SecretBytes& plaintext,
                                           std::string_view aad) const {
  std::vector<unsigned char> blob(1 + kNonceBytes + plaintext.size() + kTagBytes);
  blob[0] = kVersion;
  unsigned char* nonce = blob.data() + 1;
  unsigned char* ciphertext = nonce + kNonceBytes;
  unsigned char* tag = ciphertext + plaintext.size();
  random_(nonce, kNonceBytes);

  CipherCtx ctx = newCtx();
  int len = 0;
  bool ok = EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce) == 1 &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                              reinterpret_cast<const unsigned char*>(aad.data()),
                              toInt(aad.size())) == 1 &&
            EVP_EncryptUpdate(ctx.get(), ciphertext, &len, plaintext.data(),
                              toInt(plaintext.size())) == 1 &&
            EVP_EncryptFinal_ex(ctx.get(), ciphertext + len, &len) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, tag) == 1;
  if (!ok) throw std::runtime_error("AES-256-GCM seal failed");
  return blob;
}

std::optional<SecretBytes> SecretBox::open(const std::vector<unsigned char>& blob,
                                           std::string_view aad) const {
  if (blob.size() < 1 + kNonceBytes + kTagBytes || blob[0] != kVersion) return std::nullopt;
  const std::size_t plainSize = blob.size() - 1 - kNonceBytes - kTagBytes;
  const unsigned char* nonce = blob.data() + 1;
  const unsigned char* ciphertext = nonce + kNonceBytes;
  unsigned char tag[kTagBytes];
  std::copy(ciphertext + plainSize, ciphertext + plainSize + kTagBytes, tag);

  SecretBytes plaintext(plainSize);
  CipherCtx ctx = newCtx();
  int len = 0;
  bool ok =
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const unsigned char*>(aad.data()),
                        toInt(aad.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), plaintext.data(), &len, ciphertext, toInt(plainSize)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), plaintext.data() + len, &len) == 1;
  if (!ok) return std::nullopt;
  return plaintext;
}

}  // namespace authd
