#include "authd/fido2/trust_store.h"

#include <doctest/doctest.h>

#include "rp_test_support.h"

using namespace authd::fido2;
using namespace authd::fido2::test;

TEST_CASE("the bundle is loaded once per distinct text") {
  const Issued root = issueCa("Root A");
  const std::string bundle = pem(root.cert.get());
  const auto first = trustStoreFor(bundle);
  REQUIRE(first);
  CHECK(trustStoreFor(bundle) == first);
  const Issued other = issueCa("Root B");
  const auto second = trustStoreFor(pem(other.cert.get()));
  REQUIRE(second);
  CHECK(second != first);
}

TEST_CASE("bundles without certificates or with a broken block are refused") {
  CHECK_FALSE(trustStoreFor(""));
  CHECK_FALSE(trustStoreFor("no pem here"));
  const Issued root = issueCa("Root");
  std::string broken = pem(root.cert.get());
  broken[broken.size() / 2] = broken[broken.size() / 2] == 'A' ? 'B' : 'A';
  broken.insert(broken.find('\n') + 1, "!!!!");
  CHECK_FALSE(trustStoreFor(pem(root.cert.get()) + broken));
}

TEST_CASE("chains: leaf to root through given intermediates") {
  const Issued root = issueCa("Root");
  const Issued intermediate = issueCa("Intermediate", &root);
  const Issued leaf = issue(CertSpec{}, &intermediate);
  const auto store = trustStoreFor(pem(root.cert.get()));
  REQUIRE(store);
  X509StackPtr none(sk_X509_new_null());
  X509StackPtr intermediates(sk_X509_new_null());
  REQUIRE(sk_X509_push(intermediates.get(), X509_dup(intermediate.cert.get())) == 1);
  CHECK(chainsToTrustStore(store.get(), leaf.cert.get(), intermediates.get()));
  CHECK_FALSE(chainsToTrustStore(store.get(), leaf.cert.get(), none.get()));
  CHECK_FALSE(chainsToTrustStore(store.get(), leaf.cert.get(), nullptr));
  const Issued stranger = issueCa("Stranger");
  CHECK_FALSE(chainsToTrustStore(store.get(), stranger.cert.get(), nullptr));
  CHECK_FALSE(chainsToTrustStore(nullptr, leaf.cert.get(), nullptr));
}
