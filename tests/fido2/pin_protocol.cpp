#include "fido2/pin_protocol.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>

namespace authd::testing {
namespace {

constexpr size_t kBlock = 16;
constexpr size_t kKey = 32;

std::optional<Bytes> aesCbc(ByteView key, ByteView iv, ByteView input, bool encrypt) {
  if (key.size() != kKey || iv.size() != kBlock || input.size() % kBlock != 0) {
    return std::nullopt;
  }
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  Bytes out(input.size() + kBlock);
  int written = 0;
  int final = 0;
  const bool ok =
      ctx != nullptr &&
      EVP_CipherInit_ex(ctx, EVP_aes_256_cbc(), nullptr, key.data(), iv.data(), encrypt) == 1 &&
      EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
      EVP_CipherUpdate(ctx, out.data(), &written, input.data(), static_cast<int>(input.size())) ==
          1 &&
      EVP_CipherFinal_ex(ctx, out.data() + written, &final) == 1;
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) {
    wipeBytes(out);
    return std::nullopt;
  }
  out.resize(static_cast<size_t>(written + final));
  return out;
}

Bytes hmacSha256(ByteView key, ByteView message) {
  Bytes mac(SHA256_DIGEST_LENGTH);
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), message.data(), message.size(),
           mac.data(), &length) == nullptr) {
    return {};
  }
  return mac;
}

Bytes hkdfSha256(ByteView z, std::string_view info) {
  Bytes out(kKey);
  std::array<uint8_t, kKey> salt{};
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  EVP_KDF_CTX* ctx = kdf != nullptr ? EVP_KDF_CTX_new(kdf) : nullptr;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>("SHA256"), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<uint8_t*>(z.data()),
                                        z.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt.data(), salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()),
                                        info.size()),
      OSSL_PARAM_construct_end()};
  const bool ok = ctx != nullptr && EVP_KDF_derive(ctx, out.data(), out.size(), params) == 1;
  EVP_KDF_CTX_free(ctx);
  EVP_KDF_free(kdf);
  if (!ok) wipeBytes(out);
  return out;
}

class PinProtocolOne : public PinProtocol {
 public:
  int version() const override { return 1; }
  Bytes kdf(ByteView z) const override {
    Bytes key(SHA256_DIGEST_LENGTH);
    SHA256(z.data(), z.size(), key.data());
    return key;
  }
  std::optional<Bytes> decrypt(ByteView key, ByteView ciphertext) const override {
    const std::array<uint8_t, kBlock> iv{};
    return aesCbc(key.first(std::min(key.size(), kKey)), iv, ciphertext, false);
  }
  Bytes encrypt(ByteView key, ByteView plaintext, Rng&) const override {
    const std::array<uint8_t, kBlock> iv{};
    return aesCbc(key.first(std::min(key.size(), kKey)), iv, plaintext, true).value_or(Bytes{});
  }
  Bytes authenticate(ByteView key, ByteView message) const override {
    Bytes mac = hmacSha256(key.first(std::min(key.size(), kKey)), message);
    mac.resize(std::min(mac.size(), kBlock));
    return mac;
  }
};

class PinProtocolTwo : public PinProtocol {
 public:
  int version() const override { return 2; }
  Bytes kdf(ByteView z) const override {
    Bytes key = hkdfSha256(z, "CTAP2 HMAC key");
    Bytes aes = hkdfSha256(z, "CTAP2 AES key");
    key.insert(key.end(), aes.begin(), aes.end());
    wipeBytes(aes);
    return key;
  }
  std::optional<Bytes> decrypt(ByteView key, ByteView ciphertext) const override {
    if (key.size() != 2 * kKey || ciphertext.size() < kBlock) return std::nullopt;
    return aesCbc(key.subspan(kKey), ciphertext.first(kBlock), ciphertext.subspan(kBlock), false);
  }
  Bytes encrypt(ByteView key, ByteView plaintext, Rng& rng) const override {
    if (key.size() != 2 * kKey) return {};
    Bytes out = rng.bytes(kBlock);
    std::optional<Bytes> body = aesCbc(key.subspan(kKey), ByteView(out), plaintext, true);
    if (!body) return {};
    out.insert(out.end(), body->begin(), body->end());
    return out;
  }
  Bytes authenticate(ByteView key, ByteView message) const override {
    return hmacSha256(key.first(std::min(key.size(), kKey)), message);
  }
};

}  // namespace

std::unique_ptr<PinProtocol> PinProtocol::create(int64_t version) {
  if (version == 1) return std::make_unique<PinProtocolOne>();
  if (version == 2) return std::make_unique<PinProtocolTwo>();
  return nullptr;
}

std::unique_ptr<PinProtocol> PinProtocol::create(int64_t version, const std::vector<int>& enabled) {
  if (std::find(enabled.begin(), enabled.end(), version) == enabled.end()) return nullptr;
  return create(version);
}

bool PinProtocol::verify(ByteView key, ByteView message, ByteView param) const {
  const Bytes expected = authenticate(key, message);
  return !expected.empty() && expected.size() == param.size() &&
         CRYPTO_memcmp(expected.data(), param.data(), param.size()) == 0;
}

}  // namespace authd::testing
