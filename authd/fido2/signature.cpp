#include "authd/fido2/signature.h"

#include <openssl/core_names.h>
#include <openssl/rsa.h>

#include <array>
#include <cstring>
#include <vector>

#include "authd/fido2/digest.h"
#include "authd/fido2/openssl_ptr.h"
#include "authd/fido2/relying_party.h"

namespace authd::fido2 {
namespace {

constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 4096;

bool isP256(EVP_PKEY* key) {
  std::array<char, 32> group{};
  std::size_t length = 0;
  return EVP_PKEY_is_a(key, "EC") &&
         EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(),
                                        &length) == 1 &&
         std::strcmp(group.data(), "prime256v1") == 0;
}

// ECDSA and RSA verify a SHA-256 digest. RSA needs the digest named for its DigestInfo (PKCS #1
// v1.5 padding is the default); ECDSA does not, and naming it costs a fetch per call.
bool verifyDigestSignature(EVP_PKEY* key, int algorithm, ByteSpan first, ByteSpan second,
                           ByteSpan signature) {
  Sha256Digest hash{};
  if (!sha256(first, second, &hash)) return false;
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1) return false;
  if (algorithm == kRs256 && EVP_PKEY_CTX_set_signature_md(ctx.get(), sha256Algorithm()) != 1) {
    return false;
  }
  return EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(), hash.data(), hash.size()) ==
         1;
}

bool verifyEd25519(EVP_PKEY* key, ByteSpan first, ByteSpan second, ByteSpan signature) {
  std::vector<unsigned char> message(first.begin(), first.end());
  message.insert(message.end(), second.begin(), second.end());
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  return ctx &&
         EVP_DigestVerifyInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, key, nullptr) ==
             1 &&
         EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                          message.size()) == 1;
}

}  // namespace

bool keySuitsAlgorithm(EVP_PKEY* key, int algorithm) {
  if (key == nullptr) return false;
  switch (algorithm) {
    case kEs256:
      return isP256(key);
    case kEdDsa:
      return EVP_PKEY_is_a(key, "ED25519");
    case kRs256:
      return EVP_PKEY_is_a(key, "RSA") && EVP_PKEY_get_bits(key) >= kMinRsaBits &&
             EVP_PKEY_get_bits(key) <= kMaxRsaBits;
    default:
      return false;
  }
}

bool verifySignature(EVP_PKEY* key, int algorithm, ByteSpan first, ByteSpan second,
                     ByteSpan signature) {
  if (key == nullptr || signature.empty()) return false;
  switch (algorithm) {
    case kEs256:
    case kRs256:
      return verifyDigestSignature(key, algorithm, first, second, signature);
    case kEdDsa:
      return verifyEd25519(key, first, second, signature);
    default:
      return false;
  }
}

}  // namespace authd::fido2
