#include "fido2/pkey_util.h"

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include <stdexcept>

namespace authd::testing {
namespace {

struct P8Free {
  void operator()(PKCS8_PRIV_KEY_INFO* p8) const { PKCS8_PRIV_KEY_INFO_free(p8); }
};
using P8Ptr = std::unique_ptr<PKCS8_PRIV_KEY_INFO, P8Free>;

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

}  // namespace

Bytes pkcs8Der(const EVP_PKEY* key) {
  P8Ptr p8(EVP_PKEY2PKCS8(key));
  if (!p8) return {};
  unsigned char* buffer = nullptr;
  const int length = i2d_PKCS8_PRIV_KEY_INFO(p8.get(), &buffer);
  if (length <= 0 || buffer == nullptr) return {};
  Bytes out(buffer, buffer + length);
  OPENSSL_clear_free(buffer, static_cast<size_t>(length));
  return out;
}

EvpPkeyPtr pkeyFromPkcs8(ByteView der) {
  if (der.empty() || der.size() > 0x7fffffff) return nullptr;
  const unsigned char* cursor = der.data();
  P8Ptr p8(d2i_PKCS8_PRIV_KEY_INFO(nullptr, &cursor, static_cast<long>(der.size())));
  if (!p8 || cursor != der.data() + der.size()) return nullptr;
  return EvpPkeyPtr(EVP_PKCS82PKEY(p8.get()));
}

Bytes digestSign(EVP_PKEY* key, const EVP_MD* md, ByteView message) {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  size_t length = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, message.data(), message.size()) != 1) {
    throw std::runtime_error("EVP_DigestSignInit");
  }
  Bytes signature(length);
  if (EVP_DigestSign(ctx.get(), signature.data(), &length, message.data(), message.size()) != 1) {
    throw std::runtime_error("EVP_DigestSign");
  }
  signature.resize(length);
  return signature;
}

}  // namespace authd::testing
