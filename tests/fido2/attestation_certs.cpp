#include "fido2/attestation_certs.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

#include "fido2/pkey_util.h"

namespace authd::testing {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;
using OctetPtr =
    std::unique_ptr<ASN1_OCTET_STRING, Deleter<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>>;
using ObjPtr = std::unique_ptr<ASN1_OBJECT, Deleter<ASN1_OBJECT, ASN1_OBJECT_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;

constexpr long kValidBeforeSeconds = 3600;
constexpr long kValidForSeconds = 10L * 366 * 24 * 3600;

void require(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("attestation certificate: ") + what);
}

EvpPkeyPtr newP256Key() {
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  require(key != nullptr, "EVP_EC_gen");
  return key;
}

struct NameEntry {
  const char* field;
  std::string value;
};

void setName(X509_NAME* name, std::initializer_list<NameEntry> entries) {
  for (const NameEntry& e : entries) {
    require(X509_NAME_add_entry_by_txt(name, e.field, MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(e.value.c_str()), -1,
                                       -1, 0) == 1,
            "X509_NAME_add_entry_by_txt");
  }
}

// Version 3, random serial, validity window, subject and public key.
X509Ptr newCertificate(EVP_PKEY* key, std::initializer_list<NameEntry> subject) {
  X509Ptr cert(X509_new());
  require(cert != nullptr && X509_set_version(cert.get(), X509_VERSION_3) == 1, "X509_new");
  BnPtr serial(BN_new());
  require(serial && BN_rand(serial.get(), 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
              BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) != nullptr,
          "serial");
  require(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kValidBeforeSeconds) != nullptr &&
              X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValidForSeconds) != nullptr,
          "validity");
  setName(X509_get_subject_name(cert.get()), subject);
  require(X509_set_pubkey(cert.get(), key) == 1, "X509_set_pubkey");
  return cert;
}

void addExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  require(ext != nullptr && X509_add_ext(cert, ext.get(), -1) == 1, value);
}

// extnValue = DER(OCTET STRING aaguid), as FIDO Metadata and WebAuthn expect.
void addAaguidExtension(X509* cert, const std::array<uint8_t, 16>& aaguid) {
  OctetPtr inner(ASN1_OCTET_STRING_new());
  require(inner && ASN1_OCTET_STRING_set(inner.get(), aaguid.data(), aaguid.size()) == 1, "aaguid");
  unsigned char* der = nullptr;
  const int length = i2d_ASN1_OCTET_STRING(inner.get(), &der);
  require(length > 0, "i2d_ASN1_OCTET_STRING");
  OctetPtr outer(ASN1_OCTET_STRING_new());
  const bool set = outer && ASN1_OCTET_STRING_set(outer.get(), der, length) == 1;
  OPENSSL_free(der);
  require(set, "aaguid extension value");
  ObjPtr oid(OBJ_txt2obj(std::string(kAaguidExtensionOid).c_str(), 1));
  ExtPtr ext(oid ? X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), 0, outer.get()) : nullptr);
  require(ext != nullptr && X509_add_ext(cert, ext.get(), -1) == 1, "aaguid extension");
}

Bytes certificateDer(X509* cert) {
  unsigned char* der = nullptr;
  const int length = i2d_X509(cert, &der);
  require(length > 0, "i2d_X509");
  Bytes out(der, der + length);
  OPENSSL_free(der);
  return out;
}

X509Ptr parseCertificate(ByteView der) {
  const unsigned char* cursor = der.data();
  X509Ptr cert(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  if (!cert || cursor != der.data() + der.size()) return nullptr;
  return cert;
}

std::string bioText(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  return length > 0 ? std::string(data, static_cast<size_t>(length)) : std::string();
}

BioPtr readBio(std::string_view text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

}  // namespace

AttestationCa makeAttestationCa(std::string_view commonName) {
  EvpPkeyPtr key = newP256Key();
  X509Ptr cert = newCertificate(key.get(), {{"C", "DE"},
                                            {"O", "authd tests"},
                                            {"OU", "Authenticator Attestation CA"},
                                            {"CN", std::string(commonName)}});
  require(X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) == 1, "issuer");
  addExtension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  addExtension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  addExtension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  require(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "X509_sign");
  return AttestationCa{certificateDer(cert.get()), pkcs8Der(key.get())};
}

AttestationIdentity makeAttestationIdentity(const AttestationCa& ca,
                                            const std::array<uint8_t, 16>& aaguid,
                                            std::string_view commonName) {
  X509Ptr issuer = parseCertificate(ca.certificateDer);
  EvpPkeyPtr caKey = pkeyFromPkcs8(ca.privateKeyPkcs8);
  require(issuer != nullptr && caKey != nullptr, "CA certificate or key");
  EvpPkeyPtr key = newP256Key();
  X509Ptr cert = newCertificate(key.get(), {{"C", "DE"},
                                            {"O", "authd tests"},
                                            {"OU", "Authenticator Attestation"},
                                            {"CN", std::string(commonName)}});
  require(X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer.get())) == 1, "issuer");
  addExtension(cert.get(), issuer.get(), NID_basic_constraints, "critical,CA:FALSE");
  addExtension(cert.get(), issuer.get(), NID_key_usage, "critical,digitalSignature");
  addExtension(cert.get(), issuer.get(), NID_authority_key_identifier, "keyid:always");
  addAaguidExtension(cert.get(), aaguid);
  require(X509_sign(cert.get(), caKey.get(), EVP_sha256()) > 0, "X509_sign");
  return AttestationIdentity{pkcs8Der(key.get()), {certificateDer(cert.get())}};
}

std::string certificatePem(ByteView der) {
  X509Ptr cert = parseCertificate(der);
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!cert || !bio || PEM_write_bio_X509(bio.get(), cert.get()) != 1) return {};
  return bioText(bio.get());
}

std::optional<Bytes> certificateDerFromPem(std::string_view pem) {
  BioPtr bio = readBio(pem);
  X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) return std::nullopt;
  return certificateDer(cert.get());
}

std::string privateKeyPem(ByteView pkcs8) {
  EvpPkeyPtr key = pkeyFromPkcs8(pkcs8);
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!key || !bio ||
      PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return {};
  }
  return bioText(bio.get());
}

std::optional<Bytes> privateKeyFromPem(std::string_view pem) {
  BioPtr bio = readBio(pem);
  EvpPkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) return std::nullopt;
  Bytes der = pkcs8Der(key.get());
  if (der.empty()) return std::nullopt;
  return der;
}

}  // namespace authd::testing
