#include "authd/api/peer_certificate.h"

#include <openssl/crypto.h>
#include <openssl/objects.h>

#include "authd/protocol.h"
#include "authd/text.h"

namespace authd {

std::optional<std::string> certificateName(X509* certificate) {
  if (certificate == nullptr) return std::nullopt;
  X509_NAME* subject = X509_get_subject_name(certificate);
  const int at = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  // Two CNs would leave the choice of identity to whoever requested the certificate.
  if (at < 0 || X509_NAME_get_index_by_NID(subject, NID_commonName, at) >= 0) return std::nullopt;
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at));
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, data);
  if (length <= 0) return std::nullopt;
  std::string name(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
  OPENSSL_free(utf8);
  if (name.size() > protocol::kMaxHostBytes || name.find('\0') != std::string::npos ||
      !isSafeText(name)) {
    return std::nullopt;
  }
  return name;
}

}  // namespace authd
