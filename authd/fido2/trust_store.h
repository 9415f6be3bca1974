#pragma once
// The vendor roots of attestation policy "trusted": an X509_STORE built from the configured PEM
// bundle once and shared by later registrations (the bundle text is the cache key), and the
// chain check of an attestation certificate against it.

#include <openssl/x509.h>

#include <memory>
#include <string>

namespace authd::fido2 {

// nullptr when the bundle holds no certificate or any PEM block in it does not parse.
std::shared_ptr<X509_STORE> trustStoreFor(const std::string& caBundlePem);

// Whether `leaf` chains to a certificate of `store` through `intermediates` (may be empty).
// Every certificate of the store is a trust anchor, root or not (X509_V_FLAG_PARTIAL_CHAIN):
// vendors publish intermediate certificates as attestation roots too.
bool chainsToTrustStore(X509_STORE* store, X509* leaf, STACK_OF(X509) * intermediates);

}  // namespace authd::fido2
