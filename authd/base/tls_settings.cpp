#include "authd/base/tls_settings.h"

#include <openssl/pem.h>

#include <memory>
#include <stdexcept>

#include "authd/base/secret_file.h"

namespace authd {

namespace {

constexpr const char* kTls12Ciphers = "ECDHE+AESGCM:ECDHE+CHACHA20";

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

}  // namespace

void applyTlsPolicy(SSL_CTX* ctx) {
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1) {
    throw std::runtime_error("tls: cannot configure the TLS context");
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
}

void loadCertificateAndKey(SSL_CTX* ctx, const std::string& certFile, const std::string& keyFile,
                           const std::string& what) {
  if (SSL_CTX_use_certificate_chain_file(ctx, certFile.c_str()) != 1) {
    throw std::runtime_error(what + " cert_file " + certFile + ": no certificate could be read");
  }
  const SecretBytes pem = readSecretFile(keyFile, what + " key_file");
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key || SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    throw std::runtime_error(what + " key_file " + keyFile + ": not the private key of cert_file");
  }
}

}  // namespace authd
