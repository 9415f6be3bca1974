#include "fido2/attestation_certs.h"

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <doctest/doctest.h>

#include <memory>

using namespace authd::testing;

namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

X509Ptr parse(const Bytes& der) {
  const unsigned char* p = der.data();
  return X509Ptr(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

std::string subjectField(X509* cert, int nid) {
  char buffer[256] = {};
  const int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), nid, buffer, sizeof buffer);
  return n < 0 ? std::string() : std::string(buffer, static_cast<size_t>(n));
}

const std::array<uint8_t, 16> kAaguid = {0xde, 0xad, 0xbe, 0xef, 1, 2,  3,  4,
                                         5,    6,    7,    8,    9, 10, 11, 12};

}  // namespace

TEST_CASE("the attestation certificate meets the packed attestation requirements") {
  const AttestationCa ca = makeAttestationCa();
  const AttestationIdentity identity = makeAttestationIdentity(ca, kAaguid);
  REQUIRE(identity.x5c.size() == 1);
  X509Ptr leaf = parse(identity.x5c[0]);
  X509Ptr root = parse(ca.certificateDer);
  REQUIRE(leaf);
  REQUIRE(root);
  CHECK(X509_get_version(leaf.get()) == X509_VERSION_3);
  CHECK(subjectField(leaf.get(), NID_organizationalUnitName) == "Authenticator Attestation");
  CHECK_FALSE(subjectField(leaf.get(), NID_countryName).empty());
  CHECK_FALSE(subjectField(leaf.get(), NID_organizationName).empty());
  CHECK_FALSE(subjectField(leaf.get(), NID_commonName).empty());
  CHECK((X509_get_extension_flags(leaf.get()) & EXFLAG_CA) == 0);
  CHECK((X509_get_extension_flags(root.get()) & EXFLAG_CA) != 0);

  // id-fido-gen-ce-aaguid: non-critical, extnValue = OCTET STRING (04 10 || aaguid).
  ASN1_OBJECT* oid = OBJ_txt2obj(std::string(kAaguidExtensionOid).c_str(), 1);
  const int index = X509_get_ext_by_OBJ(leaf.get(), oid, -1);
  ASN1_OBJECT_free(oid);
  REQUIRE(index >= 0);
  X509_EXTENSION* ext = X509_get_ext(leaf.get(), index);
  CHECK(X509_EXTENSION_get_critical(ext) == 0);
  const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(ext);
  Bytes expected = {0x04, 0x10};
  expected.insert(expected.end(), kAaguid.begin(), kAaguid.end());
  CHECK(Bytes(ASN1_STRING_get0_data(value),
              ASN1_STRING_get0_data(value) + ASN1_STRING_length(value)) == expected);

  // Signed by the CA, and the key in the identity is the one the leaf certifies.
  EVP_PKEY* caKey = X509_get0_pubkey(root.get());
  CHECK(X509_verify(leaf.get(), caKey) == 1);
  CHECK(X509_verify(root.get(), caKey) == 1);
  EvpPkeyPtr leafKey = pkeyFromPkcs8(identity.privateKeyPkcs8);
  REQUIRE(leafKey);
  CHECK(EVP_PKEY_eq(leafKey.get(), X509_get0_pubkey(leaf.get())) == 1);
  const AttestationCa other = makeAttestationCa("another CA");
  CHECK(X509_verify(leaf.get(), X509_get0_pubkey(parse(other.certificateDer).get())) != 1);
}

TEST_CASE("PEM round trips of certificates and keys; garbage is refused") {
  const AttestationCa ca = makeAttestationCa();
  const std::string pem = certificatePem(ca.certificateDer);
  CHECK(pem.rfind("-----BEGIN CERTIFICATE-----", 0) == 0);
  CHECK(certificateDerFromPem(pem) == ca.certificateDer);
  const std::string keyPem = privateKeyPem(ca.privateKeyPkcs8);
  CHECK(keyPem.rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);
  CHECK(privateKeyFromPem(keyPem) == ca.privateKeyPkcs8);
  CHECK_FALSE(
      certificateDerFromPem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"));
  CHECK_FALSE(privateKeyFromPem("nothing"));
  CHECK(certificatePem(toBytes("not DER")).empty());
}
