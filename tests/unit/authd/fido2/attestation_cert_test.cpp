#include "authd/fido2/attestation_cert.h"

#include <doctest/doctest.h>

#include "authd/fido2/cbor_strict.h"
#include "rp_test_support.h"

using namespace authd::fido2;
using namespace authd::fido2::test;

namespace {

std::optional<CertificateChain> decode(const Bytes& encodedArray) {
  const CborItem item = decodeStrictCbor(encodedArray);
  REQUIRE(item);
  return decodeX5c(item.get());
}

}  // namespace

TEST_CASE("x5c: one to eight DER certificates, leaf first") {
  const Issued root = issueCa("Root");
  const Issued leaf = issue(CertSpec{}, &root);
  const Bytes leafDer = der(leaf.cert.get());
  const Bytes rootDer = der(root.cert.get());
  const auto chain = decode(encode(arrayOf({leafDer, rootDer}).get()));
  REQUIRE(chain);
  CHECK(X509_cmp(chain->leaf.get(), leaf.cert.get()) == 0);
  REQUIRE(sk_X509_num(chain->intermediates.get()) == 1);
  CHECK(X509_cmp(sk_X509_value(chain->intermediates.get(), 0), root.cert.get()) == 0);

  CHECK(decode(encode(arrayOf(std::vector<Bytes>(kMaxX5cCertificates, leafDer)).get())));
  CHECK_FALSE(decode(encode(arrayOf(std::vector<Bytes>(kMaxX5cCertificates + 1, leafDer)).get())));
  CHECK_FALSE(decode(encode(arrayOf({}).get())));
  CHECK_FALSE(decode(encode(arrayOf({Bytes(leafDer.begin(), leafDer.end() - 1)}).get())));
  CHECK_FALSE(decode(encode(arrayOf({leafDer, concat(rootDer, Bytes{0})}).get())));
  CHECK_FALSE(decode(encode(bytesItem(leafDer).get())));
  CHECK_FALSE(decodeX5c(nullptr));
}

TEST_CASE("packed certificate requirements") {
  const Issued root = issueCa("Root");
  const Aaguid aaguid = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  const auto meets = [&](const CertSpec& spec) {
    return meetsPackedCertificateRequirements(issue(spec, &root).cert.get(), aaguid);
  };
  CertSpec spec;
  CHECK(meets(spec));
  spec.aaguidExtension = aaguid;
  CHECK(meets(spec));
  spec.commonName = "";
  CHECK_FALSE(meets(spec));
  spec.commonName = "x";
  spec.organizationalUnit = "authenticator attestation";
  CHECK_FALSE(meets(spec));
  CHECK_FALSE(meetsPackedCertificateRequirements(root.cert.get(), aaguid));  // a CA
}
