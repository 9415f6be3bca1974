#include "fido2/credential_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>

#include <array>
#include <stdexcept>
#include <string>

#include "fido2/es256_key.h"
#include "fido2/rsa_key_cache.h"

namespace authd::testing {
namespace {

constexpr size_t kP256Coordinate = 32;
constexpr size_t kEd25519Size = 32;
constexpr size_t kRsaModulus = 256;
constexpr int kRsaBits = 2048;

struct BnFree {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};

// A BIGNUM parameter as big-endian bytes: exactly `width` bytes, or minimal when width is 0.
Bytes bnParam(const EVP_PKEY* key, const char* name, size_t width) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) return {};
  std::unique_ptr<BIGNUM, BnFree> bn(raw);
  const size_t minimal = static_cast<size_t>(BN_num_bytes(bn.get()));
  if (width != 0 && minimal > width) return {};
  Bytes out(width != 0 ? width : minimal);
  if (BN_bn2binpad(bn.get(), out.data(), static_cast<int>(out.size())) < 0) return {};
  return out;
}

bool isP256(const EVP_PKEY* key) {
  std::array<char, 32> group{};
  size_t length = 0;
  return EVP_PKEY_get_base_id(key) == EVP_PKEY_EC &&
         EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(),
                                        &length) == 1 &&
         std::string(group.data(), length) == "prime256v1";
}

EvpPkeyPtr ed25519FromRng(Rng& rng) {
  Bytes seed = rng.bytes(kEd25519Size);
  EvpPkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  wipeBytes(seed);
  if (!key) throw std::runtime_error("EVP_PKEY_new_raw_private_key");
  return key;
}

EvpPkeyPtr p256FromRng(Rng& rng) {
  Bytes der = Es256Key::generate(rng).pkcs8();
  EvpPkeyPtr key = pkeyFromPkcs8(der);
  wipeBytes(der);
  if (!key) throw std::runtime_error("P-256 key export");
  return key;
}

}  // namespace

CredentialKey::CredentialKey(int64_t alg, EvpPkeyPtr key, Bytes first, Bytes second)
    : alg_(alg), key_(std::move(key)), first_(std::move(first)), second_(std::move(second)) {}

bool CredentialKey::supported(int64_t alg) {
  return alg == kCoseEs256 || alg == kCoseEdDsa || alg == kCoseRs256;
}

std::optional<CredentialKey> CredentialKey::generate(int64_t alg, Rng& rng) {
  switch (alg) {
    case kCoseEs256:
      return fromPkey(alg, p256FromRng(rng));
    case kCoseEdDsa:
      return fromPkey(alg, ed25519FromRng(rng));
    case kCoseRs256:
      return fromPkey(alg, rsa2048Key(rng));
    default:
      return std::nullopt;
  }
}

std::optional<CredentialKey> CredentialKey::fromPkcs8(int64_t alg, ByteView der) {
  EvpPkeyPtr key = pkeyFromPkcs8(der);
  if (!key) return std::nullopt;
  return fromPkey(alg, std::move(key));
}

std::optional<CredentialKey> CredentialKey::fromPkey(int64_t alg, EvpPkeyPtr key) {
  if (!key) return std::nullopt;
  if (alg == kCoseEs256 && isP256(key.get())) {
    Bytes x = bnParam(key.get(), OSSL_PKEY_PARAM_EC_PUB_X, kP256Coordinate);
    Bytes y = bnParam(key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, kP256Coordinate);
    if (x.empty() || y.empty()) return std::nullopt;
    return CredentialKey(alg, std::move(key), std::move(x), std::move(y));
  }
  if (alg == kCoseEdDsa && EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_ED25519) {
    Bytes pub(kEd25519Size);
    size_t length = pub.size();
    if (EVP_PKEY_get_raw_public_key(key.get(), pub.data(), &length) != 1 ||
        length != kEd25519Size) {
      return std::nullopt;
    }
    return CredentialKey(alg, std::move(key), std::move(pub), {});
  }
  if (alg == kCoseRs256 && EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_RSA &&
      EVP_PKEY_get_bits(key.get()) == kRsaBits) {
    Bytes n = bnParam(key.get(), OSSL_PKEY_PARAM_RSA_N, kRsaModulus);
    Bytes e = bnParam(key.get(), OSSL_PKEY_PARAM_RSA_E, 0);
    if (n.empty() || e.empty()) return std::nullopt;
    return CredentialKey(alg, std::move(key), std::move(n), std::move(e));
  }
  return std::nullopt;
}

Bytes CredentialKey::sign(ByteView message) const {
  return digestSign(key_.get(), alg_ == kCoseEdDsa ? nullptr : EVP_sha256(), message);
}

CborPtr CredentialKey::coseKey() const {
  switch (alg_) {
    case kCoseEs256:
      return CanonicalMap()
          .add(1, cborInt(2))  // kty: EC2
          .add(3, cborInt(alg_))
          .add(-1, cborInt(1))  // crv: P-256
          .add(-2, cborBytes(first_))
          .add(-3, cborBytes(second_))
          .build();
    case kCoseEdDsa:
      return CanonicalMap()
          .add(1, cborInt(1))  // kty: OKP
          .add(3, cborInt(alg_))
          .add(-1, cborInt(6))  // crv: Ed25519
          .add(-2, cborBytes(first_))
          .build();
    default:
      return CanonicalMap()
          .add(1, cborInt(3))  // kty: RSA
          .add(3, cborInt(alg_))
          .add(-1, cborBytes(first_))   // n
          .add(-2, cborBytes(second_))  // e
          .build();
  }
}

Bytes CredentialKey::uncompressedPoint() const {
  if (alg_ != kCoseEs256) return {};
  Bytes point{0x04};
  point.insert(point.end(), first_.begin(), first_.end());
  point.insert(point.end(), second_.begin(), second_.end());
  return point;
}

}  // namespace authd::testing
