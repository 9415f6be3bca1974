#pragma once
// The TLS rules of authd's network connections, one copy for the listener and the agent:
// TLS 1.2 or newer, and for TLS 1.2 only forward-secret AEAD suites (TLS 1.3's are all such).
// Also the one way a private key file is loaded into a context (the secret-file rule).

#include <openssl/ssl.h>

#include <string>

namespace authd {

// Throws std::runtime_error when the context refuses the settings.
void applyTlsPolicy(SSL_CTX* ctx);

// Loads cert_file (chain) and key_file (secret_file rule) into `ctx` and checks that they
// belong together; throws std::runtime_error "WHAT FILE: why".
void loadCertificateAndKey(SSL_CTX* ctx, const std::string& certFile, const std::string& keyFile,
                           const std::string& what);

}  // namespace authd
