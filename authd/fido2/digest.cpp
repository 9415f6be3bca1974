#include "authd/fido2/digest.h"

#include <openssl/evp.h>

#include "authd/fido2/openssl_ptr.h"

namespace authd::fido2 {

const EVP_MD* sha256Algorithm() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

bool sha256(ByteSpan first, ByteSpan second, Sha256Digest* out) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  unsigned int length = 0;
  return ctx && sha256Algorithm() != nullptr &&
         EVP_DigestInit_ex(ctx.get(), sha256Algorithm(), nullptr) == 1 &&
         EVP_DigestUpdate(ctx.get(), first.data(), first.size()) == 1 &&
         EVP_DigestUpdate(ctx.get(), second.data(), second.size()) == 1 &&
         EVP_DigestFinal_ex(ctx.get(), out->data(), &length) == 1 && length == out->size();
}

}  // namespace authd::fido2
