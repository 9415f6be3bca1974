#include "authd/fido2/cose_key.h"

#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include <array>
#include <memory>

#include "authd/fido2/cbor_strict.h"
#include "authd/fido2/relying_party.h"

namespace authd::fido2 {
namespace {

// COSE_Key labels and values (RFC 9052, RFC 9053).
constexpr std::int64_t kLabelKty = 1;
constexpr std::int64_t kLabelAlg = 3;
constexpr std::int64_t kLabelCrvOrN = -1;
constexpr std::int64_t kLabelXOrE = -2;
constexpr std::int64_t kLabelY = -3;
constexpr std::int64_t kKtyOkp = 1;
constexpr std::int64_t kKtyEc2 = 2;
constexpr std::int64_t kKtyRsa = 3;
constexpr std::int64_t kCrvP256 = 1;
constexpr std::int64_t kCrvEd25519 = 6;

constexpr std::size_t kCoordinateSize = 32;
constexpr std::size_t kMinRsaModulusSize = 256;
constexpr std::size_t kMaxRsaModulusSize = 512;
constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 4096;
constexpr std::size_t kMaxRsaExponentSize = 8;

struct OsslParamBldFree {
  void operator()(OSSL_PARAM_BLD* bld) const { OSSL_PARAM_BLD_free(bld); }
};
struct OsslParamFree {
  void operator()(OSSL_PARAM* params) const { OSSL_PARAM_free(params); }
};
struct BnFree {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};

bool hasInt(const cbor_item_t* map, std::int64_t label, std::int64_t value) {
  return cborAsInt(cborMapGet(map, label)) == value;
}

std::optional<ByteSpan> bytesOfSize(const cbor_item_t* map, std::int64_t label, std::size_t minSize,
                                    std::size_t maxSize) {
  const std::optional<ByteSpan> bytes = cborAsBytes(cborMapGet(map, label));
  if (!bytes || bytes->size() < minSize || bytes->size() > maxSize) return std::nullopt;
  return bytes;
}

// Imports key material through the provider interface ("EC", "RSA").
EvpPkeyPtr keyFromParams(const char* type, const OSSL_PARAM* params) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, const_cast<OSSL_PARAM*>(params)) !=
          1) {
    return nullptr;
  }
  return EvpPkeyPtr(key);
}

// P-256 domain parameters without a key, built once. Copying them and setting the point costs a
// fraction of importing the key from its parameters (which builds the curve each time), and the
// point is still checked to be on the curve.
// Shared by all threads and never modified (EVP_PKEY_dup only reads it).
EVP_PKEY* p256Parameters() {
  static EVP_PKEY* const parameters = [] {
    char group[] = "prime256v1";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
        OSSL_PARAM_construct_end()};
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* key = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_KEY_PARAMETERS,
                          const_cast<OSSL_PARAM*>(params)) != 1) {
      return static_cast<EVP_PKEY*>(nullptr);
    }
    return key;
  }();
  return parameters;
}

EvpPkeyPtr es256Key(const cbor_item_t* map) {
  const auto x = bytesOfSize(map, kLabelXOrE, kCoordinateSize, kCoordinateSize);
  const auto y = bytesOfSize(map, kLabelY, kCoordinateSize, kCoordinateSize);
  if (cbor_map_size(map) != 5 || !hasInt(map, kLabelKty, kKtyEc2) ||
      !hasInt(map, kLabelCrvOrN, kCrvP256) || !x || !y || p256Parameters() == nullptr) {
    return nullptr;
  }
  std::array<unsigned char, 1 + 2 * kCoordinateSize> point{0x04};  // uncompressed SEC1 point
  std::copy(x->begin(), x->end(), point.begin() + 1);
  std::copy(y->begin(), y->end(), point.begin() + 1 + kCoordinateSize);
  EvpPkeyPtr key(EVP_PKEY_dup(p256Parameters()));
  // Refuses points off the curve.
  if (!key || EVP_PKEY_set1_encoded_public_key(key.get(), point.data(), point.size()) != 1) {
    return nullptr;
  }
  return key;
}

EvpPkeyPtr eddsaKey(const cbor_item_t* map) {
  const auto x = bytesOfSize(map, kLabelXOrE, kCoordinateSize, kCoordinateSize);
  if (cbor_map_size(map) != 4 || !hasInt(map, kLabelKty, kKtyOkp) ||
      !hasInt(map, kLabelCrvOrN, kCrvEd25519) || !x) {
    return nullptr;
  }
  return EvpPkeyPtr(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, x->data(), x->size()));
}

// Big-endian, no leading zero byte: one encoding per value.
std::unique_ptr<BIGNUM, BnFree> positiveInteger(ByteSpan bytes) {
  if (bytes.empty() || bytes[0] == 0) return nullptr;
  return std::unique_ptr<BIGNUM, BnFree>(
      BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
}

EvpPkeyPtr rs256Key(const cbor_item_t* map) {
  const auto n = bytesOfSize(map, kLabelCrvOrN, kMinRsaModulusSize, kMaxRsaModulusSize);
  const auto e = bytesOfSize(map, kLabelXOrE, 1, kMaxRsaExponentSize);
  if (cbor_map_size(map) != 4 || !hasInt(map, kLabelKty, kKtyRsa) || !n || !e) return nullptr;
  const auto modulus = positiveInteger(*n);
  const auto exponent = positiveInteger(*e);
  if (!modulus || !exponent || BN_num_bits(modulus.get()) < kMinRsaBits ||
      BN_num_bits(modulus.get()) > kMaxRsaBits || !BN_is_odd(modulus.get()) ||
      !BN_is_odd(exponent.get()) || BN_is_one(exponent.get())) {
    return nullptr;
  }
  std::unique_ptr<OSSL_PARAM_BLD, OsslParamBldFree> build(OSSL_PARAM_BLD_new());
  if (!build || OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get()) != 1) {
    return nullptr;
  }
  std::unique_ptr<OSSL_PARAM, OsslParamFree> params(OSSL_PARAM_BLD_to_param(build.get()));
  return params ? keyFromParams("RSA", params.get()) : nullptr;
}

EvpPkeyPtr keyFor(int algorithm, const cbor_item_t* map) {
  switch (algorithm) {
    case kEs256:
      return es256Key(map);
    case kEdDsa:
      return eddsaKey(map);
    case kRs256:
      return rs256Key(map);
    default:
      return nullptr;
  }
}

}  // namespace

CoseKey parseCoseKey(ByteSpan encoded) {
  CoseKey out;
  const CborItem map = decodeStrictCbor(encoded);
  if (!map || !cbor_isa_map(map.get())) return out;
  const std::optional<std::int64_t> algorithm = cborAsInt(cborMapGet(map.get(), kLabelAlg));
  if (!algorithm) return out;
  if (*algorithm != kEs256 && *algorithm != kEdDsa && *algorithm != kRs256) {
    out.status = CoseKeyStatus::unsupportedAlgorithm;
    return out;
  }
  out.publicKey = keyFor(static_cast<int>(*algorithm), map.get());
  if (!out.publicKey) return out;
  out.algorithm = static_cast<int>(*algorithm);
  out.status = CoseKeyStatus::ok;
  return out;
}

}  // namespace authd::fido2
