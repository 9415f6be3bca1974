#include "authd/fido2/attestation_cert.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string_view>

#include "authd/fido2/cbor_strict.h"

namespace authd::fido2 {
namespace {

constexpr std::string_view kAttestationOu = "Authenticator Attestation";
constexpr const char* kAaguidExtensionOid = "1.3.6.1.4.1.45724.1.1.4";

struct OpenSslFree {
  void operator()(unsigned char* data) const { OPENSSL_free(data); }
};
struct Asn1ObjectFree {
  void operator()(ASN1_OBJECT* object) const { ASN1_OBJECT_free(object); }
};

X509Ptr decodeDer(const cbor_item_t* item) {
  const std::optional<ByteSpan> der = cborAsBytes(item);
  if (!der || der->empty()) return nullptr;
  const unsigned char* cursor = der->data();
  X509Ptr cert(d2i_X509(nullptr, &cursor, static_cast<long>(der->size())));
  ERR_clear_error();
  if (!cert || cursor != der->data() + der->size()) return nullptr;
  return cert;
}

bool subjectHas(X509* cert, int nid, std::optional<std::string_view> required) {
  const X509_NAME* subject = X509_get_subject_name(cert);
  const int index = X509_NAME_get_index_by_NID(subject, nid, -1);
  if (index < 0) return false;
  unsigned char* utf8 = nullptr;
  const int length =
      ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index)));
  const std::unique_ptr<unsigned char, OpenSslFree> owned(utf8);
  if (length <= 0) return false;
  const std::string_view text(reinterpret_cast<const char*>(utf8),
                              static_cast<std::size_t>(length));
  return !required || text == *required;
}

// The extension's value is an OCTET STRING wrapping the 16 AAGUID bytes (DER 04 10 ...).
bool aaguidExtensionMatches(X509* cert, const Aaguid& aaguid) {
  const std::unique_ptr<ASN1_OBJECT, Asn1ObjectFree> oid(OBJ_txt2obj(kAaguidExtensionOid, 1));
  if (!oid) return false;
  const int index = X509_get_ext_by_OBJ(cert, oid.get(), -1);
  if (index < 0) return true;
  if (X509_get_ext_by_OBJ(cert, oid.get(), index) >= 0) return false;  // repeated
  X509_EXTENSION* extension = X509_get_ext(cert, index);
  if (X509_EXTENSION_get_critical(extension) != 0) return false;
  const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(extension);
  const unsigned char* der = ASN1_STRING_get0_data(value);
  if (ASN1_STRING_length(value) != 2 + static_cast<int>(aaguid.size()) || der[0] != 0x04 ||
      der[1] != aaguid.size()) {
    return false;
  }
  return CRYPTO_memcmp(der + 2, aaguid.data(), aaguid.size()) == 0;
}

}  // namespace

std::optional<CertificateChain> decodeX5c(const cbor_item_t* x5c) {
  if (x5c == nullptr || !cbor_isa_array(x5c) || cbor_array_size(x5c) == 0 ||
      cbor_array_size(x5c) > kMaxX5cCertificates) {
    return std::nullopt;
  }
  cbor_item_t** certificates = cbor_array_handle(x5c);
  CertificateChain chain{decodeDer(certificates[0]), X509StackPtr(sk_X509_new_null())};
  if (!chain.leaf || !chain.intermediates) return std::nullopt;
  for (std::size_t i = 1; i < cbor_array_size(x5c); ++i) {
    X509Ptr cert = decodeDer(certificates[i]);
    if (!cert || sk_X509_push(chain.intermediates.get(), cert.get()) == 0) return std::nullopt;
    cert.release();  // owned by the stack now
  }
  return chain;
}

bool meetsPackedCertificateRequirements(X509* leaf, const Aaguid& aaguid) {
  constexpr long kVersion3 = 2;
  return X509_get_version(leaf) == kVersion3 && (X509_get_extension_flags(leaf) & EXFLAG_CA) == 0 &&
         (X509_get_extension_flags(leaf) & EXFLAG_INVALID) == 0 &&
         subjectHas(leaf, NID_countryName, std::nullopt) &&
         subjectHas(leaf, NID_organizationName, std::nullopt) &&
         subjectHas(leaf, NID_commonName, std::nullopt) &&
         subjectHas(leaf, NID_organizationalUnitName, kAttestationOu) &&
         aaguidExtensionMatches(leaf, aaguid);
}

}  // namespace authd::fido2
