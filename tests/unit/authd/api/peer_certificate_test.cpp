#include "authd/api/peer_certificate.h"

#include <doctest/doctest.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

using authd::certificateName;

namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using Cert = std::unique_ptr<X509, X509Free>;

// A certificate whose subject holds these (field, UTF-8 value) entries; unsigned, since
// certificateName reads only the subject of a certificate the TLS layer already verified. The
// values go in as raw UTF8Strings: no length limit of the builder, as in a crafted certificate.
Cert withSubject(const std::vector<std::pair<std::string, std::string>>& entries) {
  Cert cert(X509_new());
  X509_NAME* name = X509_get_subject_name(cert.get());
  for (const auto& [field, value] : entries) {
    REQUIRE(X509_NAME_add_entry_by_txt(name, field.c_str(), V_ASN1_UTF8STRING,
                                       reinterpret_cast<const unsigned char*>(value.data()),
                                       static_cast<int>(value.size()), -1, 0) == 1);
  }
  return cert;
}

}  // namespace

TEST_CASE("peer_certificate: the one common name is the peer's name") {
  CHECK(certificateName(withSubject({{"O", "Stadt"}, {"CN", "nb-017.stadt.test"}}).get()) ==
        "nb-017.stadt.test");
  CHECK(certificateName(withSubject({{"CN", "Gesundheitsamt Kärnten"}}).get()) ==
        "Gesundheitsamt Kärnten");
}

TEST_CASE("peer_certificate: no name, two names, unsafe or over-long names are none") {
  CHECK_FALSE(certificateName(nullptr));
  CHECK_FALSE(certificateName(withSubject({{"O", "Stadt"}}).get()));
  CHECK_FALSE(certificateName(withSubject({{"CN", "nb-017"}, {"CN", "admin-frank"}}).get()));
  CHECK_FALSE(certificateName(withSubject({{"CN", "nb\x1b[2J"}}).get()));
  CHECK_FALSE(certificateName(withSubject({{"CN",
                                            "nb\xe2\x80\xae"
                                            "710"}})
                                  .get()));  // bidi
  CHECK_FALSE(certificateName(withSubject({{"CN", std::string(257, 'a')}}).get()));
  CHECK_FALSE(certificateName(withSubject({{"CN", std::string("nb\0x", 4)}}).get()));
}
