#include "authd/fido2/trust_store.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <mutex>

#include "authd/fido2/openssl_ptr.h"

namespace authd::fido2 {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509InfoStackFree {
  void operator()(STACK_OF(X509_INFO) * infos) const {
    sk_X509_INFO_pop_free(infos, X509_INFO_free);
  }
};

X509StorePtr loadTrustStore(const std::string& pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return nullptr;
  std::unique_ptr<STACK_OF(X509_INFO), X509InfoStackFree> infos(
      PEM_X509_INFO_read_bio(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  X509StorePtr store(X509_STORE_new());
  if (!infos || !store) return nullptr;
  int certificates = 0;
  for (int i = 0; i < sk_X509_INFO_num(infos.get()); ++i) {
    X509* cert = sk_X509_INFO_value(infos.get(), i)->x509;
    if (cert == nullptr) continue;
    if (X509_STORE_add_cert(store.get(), cert) != 1) return nullptr;
    ++certificates;
  }
  if (certificates == 0) return nullptr;
  X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN);
  return store;
}

}  // namespace

std::shared_ptr<X509_STORE> trustStoreFor(const std::string& caBundlePem) {
  static std::mutex mutex;
  static std::string cachedPem;
  static std::shared_ptr<X509_STORE> cachedStore;
  const std::lock_guard lock(mutex);
  if (!cachedStore || cachedPem != caBundlePem) {
    cachedStore =
        std::shared_ptr<X509_STORE>(loadTrustStore(caBundlePem).release(), X509_STORE_free);
    cachedPem = caBundlePem;
  }
  return cachedStore;
}

bool chainsToTrustStore(X509_STORE* store, X509* leaf, STACK_OF(X509) * intermediates) {
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx || store == nullptr || leaf == nullptr ||
      X509_STORE_CTX_init(ctx.get(), store, leaf, intermediates) != 1) {
    return false;
  }
  const bool trusted = X509_verify_cert(ctx.get()) == 1;
  ERR_clear_error();
  return trusted;
}

}  // namespace authd::fido2
