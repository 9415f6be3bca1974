#include "tls_context.h"

#include <openssl/err.h>

namespace authd::tls {

namespace {

bool fail(SSL_CTX* ctx, std::string* why, std::string message) {
  SSL_CTX_free(ctx);
  *why = std::move(message) + " (" + opensslReason("unknown error") + ")";
  return false;
}

bool configure(SSL_CTX* ctx, const TlsClientOptions& options, std::string* why) {
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
    return fail(ctx, why, "cannot require TLS 1.2");
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_use_certificate_chain_file(ctx, options.certFile.c_str()) != 1) {
    return fail(ctx, why, "certificate " + options.certFile + ": not a usable PEM certificate");
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, options.keyFile.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    return fail(ctx, why, "key " + options.keyFile + ": not the private key of the certificate");
  }
  if (SSL_CTX_load_verify_file(ctx, options.caFile.c_str()) != 1) {
    return fail(ctx, why, "CA file " + options.caFile + ": no usable PEM certificate");
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  return true;
}

}  // namespace

SSL_CTX* newClientContext(const TlsClientOptions& options, std::string* why) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) {
    *why = "cannot create a TLS context (" + opensslReason("out of memory") + ")";
    return nullptr;
  }
  return configure(ctx, options, why) ? ctx : nullptr;
}

std::string opensslReason(const std::string& fallback) {
  const unsigned long code = ERR_peek_error();
  const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
  ERR_clear_error();
  return reason != nullptr ? reason : fallback;
}

}  // namespace authd::tls
