#pragma once
// The client side's TLS context: TLS 1.2 or newer, our certificate and key, and the one CA
// file the server's certificate must chain to (not the system's trust store).

#include <openssl/ssl.h>

#include <string>

#include "authd/tls_client.h"

namespace authd::tls {

// A new context, or nullptr with *why naming the file that could not be used.
SSL_CTX* newClientContext(const TlsClientOptions& options, std::string* why);

// The reason of the oldest error in OpenSSL's error queue (e.g. "certificate verify failed"),
// or `fallback` when it is empty; the queue is cleared.
std::string opensslReason(const std::string& fallback);

}  // namespace authd::tls
