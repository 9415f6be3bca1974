#include "fido2/es256_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include <stdexcept>

#include "fido2/pkey_util.h"

namespace authd::testing {
namespace {

constexpr size_t kCoordinate = 32;

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_clear_free>>;
using GroupPtr = std::unique_ptr<EC_GROUP, Deleter<EC_GROUP, EC_GROUP_free>>;
using PointPtr = std::unique_ptr<EC_POINT, Deleter<EC_POINT, EC_POINT_free>>;
using BldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamsPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using CtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;

[[noreturn]] void fail(const char* what) { throw std::runtime_error(what); }

GroupPtr p256() {
  GroupPtr group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
  if (!group) fail("EC_GROUP_new_by_curve_name");
  return group;
}

// 04 || x || y of a point.
Bytes encodePoint(const EC_GROUP* group, const EC_POINT* point) {
  Bytes out(1 + 2 * kCoordinate);
  if (EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED, out.data(), out.size(),
                         nullptr) != out.size()) {
    fail("EC_POINT_point2oct");
  }
  return out;
}

// EVP_PKEY from an uncompressed point and, for a key pair, the private scalar.
EVP_PKEY* buildKey(const Bytes& point, const BIGNUM* priv) {
  BldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                        point.size()) ||
      (priv != nullptr && !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv))) {
    return nullptr;
  }
  ParamsPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  CtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, priv != nullptr ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                        params.get()) != 1) {
    return nullptr;
  }
  return key;
}

}  // namespace

Es256Key Es256Key::generate(Rng& rng) {
  GroupPtr group = p256();
  BnPtr priv(BN_secure_new());
  if (!priv) fail("BN_secure_new");
  Bytes scalar(kCoordinate);
  // Rejection sampling: a uniformly random scalar in [1, n).
  do {
    rng.fill(scalar);
    if (BN_bin2bn(scalar.data(), static_cast<int>(scalar.size()), priv.get()) == nullptr) {
      fail("BN_bin2bn");
    }
  } while (BN_is_zero(priv.get()) || BN_cmp(priv.get(), EC_GROUP_get0_order(group.get())) >= 0);
  wipeBytes(scalar);

  PointPtr pub(EC_POINT_new(group.get()));
  if (!pub || EC_POINT_mul(group.get(), pub.get(), priv.get(), nullptr, nullptr, nullptr) != 1) {
    fail("EC_POINT_mul");
  }
  Bytes point = encodePoint(group.get(), pub.get());
  EVP_PKEY* key = buildKey(point, priv.get());
  if (key == nullptr) fail("EVP_PKEY_fromdata");
  return Es256Key(key, Bytes(point.begin() + 1, point.begin() + 1 + kCoordinate),
                  Bytes(point.begin() + 1 + kCoordinate, point.end()));
}

std::optional<Es256Key> Es256Key::fromPublic(ByteView x, ByteView y) {
  if (x.size() != kCoordinate || y.size() != kCoordinate) return std::nullopt;
  GroupPtr group = p256();
  Bytes point{0x04};
  point.insert(point.end(), x.begin(), x.end());
  point.insert(point.end(), y.begin(), y.end());
  // oct2point rejects points that are not on the curve.
  PointPtr decoded(EC_POINT_new(group.get()));
  if (!decoded ||
      EC_POINT_oct2point(group.get(), decoded.get(), point.data(), point.size(), nullptr) != 1) {
    return std::nullopt;
  }
  EVP_PKEY* key = buildKey(point, nullptr);
  if (key == nullptr) return std::nullopt;
  return Es256Key(key, Bytes(x.begin(), x.end()), Bytes(y.begin(), y.end()));
}

Bytes Es256Key::sign(ByteView message) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  size_t length = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, message.data(), message.size()) != 1) {
    fail("EVP_DigestSignInit");
  }
  Bytes signature(length);
  if (EVP_DigestSign(ctx.get(), signature.data(), &length, message.data(), message.size()) != 1) {
    fail("EVP_DigestSign");
  }
  signature.resize(length);
  return signature;
}

Bytes Es256Key::pkcs8() const { return pkcs8Der(key_.get()); }

Bytes Es256Key::sharedSecret(const Es256Key& peer) const {
  CtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr));
  size_t length = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer.key_.get()) != 1 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &length) != 1 || length != kCoordinate) {
    return {};
  }
  Bytes secret(length);
  if (EVP_PKEY_derive(ctx.get(), secret.data(), &length) != 1 || length != kCoordinate) {
    wipeBytes(secret);
    return {};
  }
  return secret;
}

}  // namespace authd::testing
