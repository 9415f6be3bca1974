#pragma once
// Artefacts for the relying-party tests: real credentials and assertions from the soft
// authenticator through the real libfido2, and what a soft key cannot make (EdDSA and RS256
// keys, attestation certificates, fido-u2f and packed x5c statements) built with OpenSSL.

#include <cbor.h>
#include <fido.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "authd/fido2/openssl_ptr.h"
#include "authd/fido2/relying_party.h"
#include "fido2/soft_authenticator.h"
#include "fido2/virtual_device.h"

namespace authd::fido2::test {

inline constexpr const char* kRpId = "mfa.example.org";
inline constexpr const char* kOrigin = "https://mfa.example.org";

using authd::Bytes;
using authd::testing::FidoDevicePtr;
using authd::testing::SoftAuthenticator;
using authd::testing::SoftAuthenticatorConfig;

struct CredDeleter {
  void operator()(fido_cred_t* cred) const { fido_cred_free(&cred); }
};
struct AssertDeleter {
  void operator()(fido_assert_t* assertion) const { fido_assert_free(&assertion); }
};
struct CborDeleter {
  void operator()(cbor_item_t* item) const { cbor_decref(&item); }
};
using CborPtr = std::unique_ptr<cbor_item_t, CborDeleter>;

inline Bytes copyOf(const unsigned char* data, size_t size) {
  return data == nullptr ? Bytes{} : Bytes(data, data + size);
}

inline Bytes concat(const Bytes& a, const Bytes& b) {
  Bytes out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

inline Bytes sha256(const Bytes& data) {
  Bytes out(SHA256_DIGEST_LENGTH);
  SHA256(data.data(), data.size(), out.data());
  return out;
}

inline Bytes sha256(std::string_view text) { return sha256(Bytes(text.begin(), text.end())); }

inline Bytes challengeOf(unsigned char fill) { return Bytes(32, fill); }

// ---- CBOR -----------------------------------------------------------------------------------

inline Bytes encode(const cbor_item_t* item) {
  unsigned char* buffer = nullptr;
  size_t capacity = 0;
  const size_t length = cbor_serialize_alloc(item, &buffer, &capacity);
  Bytes out = copyOf(buffer, length);
  free(buffer);
  return out;
}

inline CborPtr bytesItem(const Bytes& bytes) {
  return CborPtr(cbor_build_bytestring(bytes.data(), bytes.size()));
}

// Shortest form, as every CTAP2 encoder writes it (libcbor's builders fix the width).
inline CborPtr intItem(int64_t value) {
  const bool negative = value < 0;
  const auto magnitude =
      negative ? static_cast<uint64_t>(-1 - value) : static_cast<uint64_t>(value);
  CborPtr item;
  if (magnitude <= 0xff) {
    item.reset(cbor_build_uint8(static_cast<uint8_t>(magnitude)));
  } else if (magnitude <= 0xffff) {
    item.reset(cbor_build_uint16(static_cast<uint16_t>(magnitude)));
  } else {
    item.reset(cbor_build_uint32(static_cast<uint32_t>(magnitude)));
  }
  if (negative) cbor_mark_negint(item.get());
  return item;
}

// A definite map in insertion order; keys are integers or text.
class MapBuilder {
 public:
  MapBuilder& add(int64_t key, CborPtr value) { return addItem(intItem(key), std::move(value)); }
  MapBuilder& add(const char* key, CborPtr value) {
    return addItem(CborPtr(cbor_build_string(key)), std::move(value));
  }
  Bytes encoded() const {
    CborPtr map(cbor_new_definite_map(entries_.size()));
    for (const auto& [key, value] : entries_) {
      REQUIRE(cbor_map_add(map.get(), {key.get(), value.get()}));
    }
    return encode(map.get());
  }

 private:
  MapBuilder& addItem(CborPtr key, CborPtr value) {
    entries_.emplace_back(std::move(key), std::move(value));
    return *this;
  }
  std::vector<std::pair<CborPtr, CborPtr>> entries_;
};

inline CborPtr arrayOf(const std::vector<Bytes>& elements) {
  CborPtr array(cbor_new_definite_array(elements.size()));
  for (const Bytes& element : elements) {
    REQUIRE(cbor_array_push(array.get(), bytesItem(element).get()));
  }
  return array;
}

// fido_assert_authdata_ptr returns the CBOR byte string wrapping the raw authenticator data.
inline Bytes unwrapByteString(const unsigned char* data, size_t size) {
  cbor_load_result result{};
  CborPtr item(cbor_load(data, size, &result));
  REQUIRE(item);
  REQUIRE(cbor_isa_bytestring(item.get()));
  return copyOf(cbor_bytestring_handle(item.get()), cbor_bytestring_length(item.get()));
}

// ---- The soft authenticator through libfido2 ------------------------------------------------

struct MadeCredential {
  std::string fmt;
  Bytes authData;  // raw
  Bytes attStmt;
  Bytes credentialId;
};

struct MadeAssertion {
  Bytes authData;  // raw
  Bytes signature;
};

inline SoftAuthenticatorConfig namedConfig(const char* name, uint64_t seed) {
  SoftAuthenticatorConfig config;
  config.name = name;
  config.seed = seed;
  return config;
}

inline FidoDevicePtr openKey(const SoftAuthenticator& key) {
  FidoDevicePtr dev = testing::openSoftDevice(key.path());
  REQUIRE(dev);
  return dev;
}

inline MadeCredential makeCredential(const SoftAuthenticator& key, const Bytes& clientDataHash,
                                     const char* pin = nullptr) {
  FidoDevicePtr dev = openKey(key);
  std::unique_ptr<fido_cred_t, CredDeleter> cred(fido_cred_new());
  static const unsigned char kUserId[] = {'u', 's', 'e', 'r', '-', '1'};
  REQUIRE(fido_cred_set_type(cred.get(), COSE_ES256) == FIDO_OK);
  REQUIRE(fido_cred_set_clientdata_hash(cred.get(), clientDataHash.data(), clientDataHash.size()) ==
          FIDO_OK);
  REQUIRE(fido_cred_set_rp(cred.get(), kRpId, "Example") == FIDO_OK);
  REQUIRE(fido_cred_set_user(cred.get(), kUserId, sizeof kUserId, "alice", "Alice", nullptr) ==
          FIDO_OK);
  REQUIRE(fido_dev_make_cred(dev.get(), cred.get(), pin) == FIDO_OK);
  return {fido_cred_fmt(cred.get()),
          copyOf(fido_cred_authdata_raw_ptr(cred.get()), fido_cred_authdata_raw_len(cred.get())),
          copyOf(fido_cred_attstmt_ptr(cred.get()), fido_cred_attstmt_len(cred.get())),
          copyOf(fido_cred_id_ptr(cred.get()), fido_cred_id_len(cred.get()))};
}

inline MadeAssertion getAssertion(const SoftAuthenticator& key, const Bytes& clientDataHash,
                                  const Bytes& credentialId, const char* pin = nullptr) {
  FidoDevicePtr dev = openKey(key);
  std::unique_ptr<fido_assert_t, AssertDeleter> assertion(fido_assert_new());
  REQUIRE(fido_assert_set_clientdata_hash(assertion.get(), clientDataHash.data(),
                                          clientDataHash.size()) == FIDO_OK);
  REQUIRE(fido_assert_set_rp(assertion.get(), kRpId) == FIDO_OK);
  REQUIRE(fido_assert_allow_cred(assertion.get(), credentialId.data(), credentialId.size()) ==
          FIDO_OK);
  REQUIRE(fido_dev_get_assert(dev.get(), assertion.get(), pin) == FIDO_OK);
  REQUIRE(fido_assert_count(assertion.get()) == 1);
  return {unwrapByteString(fido_assert_authdata_ptr(assertion.get(), 0),
                           fido_assert_authdata_len(assertion.get(), 0)),
          copyOf(fido_assert_sig_ptr(assertion.get(), 0), fido_assert_sig_len(assertion.get(), 0))};
}

// The COSE key inside attested credential data: after rpIdHash, flags, counter, aaguid, idLen, id.
inline Bytes coseKeyOf(const MadeCredential& made) {
  const size_t offset = 32 + 1 + 4 + 16 + 2 + made.credentialId.size();
  REQUIRE(made.authData.size() > offset);
  return Bytes(made.authData.begin() + static_cast<std::ptrdiff_t>(offset), made.authData.end());
}

inline RegistrationInput registrationInput(const Bytes& challenge, const MadeCredential& made) {
  RegistrationInput input;
  input.rpId = kRpId;
  input.challenge = challenge;
  input.clientData.hash = challenge;
  input.origins = {kOrigin};
  input.fmt = made.fmt;
  input.authData = made.authData;
  input.attStmt = made.attStmt;
  return input;
}

inline AssertionInput assertionInput(const Bytes& challenge, const MadeAssertion& made,
                                     const Bytes& coseKey, int algorithm = kEs256) {
  AssertionInput input;
  input.rpId = kRpId;
  input.challenge = challenge;
  input.clientData.hash = challenge;
  input.origins = {kOrigin};
  input.authData = made.authData;
  input.signature = made.signature;
  input.coseKey = coseKey;
  input.algorithm = algorithm;
  return input;
}

// ---- Keys and signatures built with OpenSSL -------------------------------------------------

inline EvpPkeyPtr generateKey(const char* type, unsigned rsaBits = 2048) {
  if (std::string(type) == "EC")
    return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (std::string(type) == "RSA") {
    return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(rsaBits)));
  }
  return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, type));
}

// ES256 (ECDSA P-256 SHA-256, DER), EdDSA (Ed25519) or RS256 (PKCS #1 v1.5 SHA-256).
inline Bytes sign(EVP_PKEY* key, int algorithm, const Bytes& message) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  const EVP_MD* md = algorithm == kEdDsa ? nullptr : EVP_sha256();
  REQUIRE(EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key) == 1);
  size_t length = 0;
  REQUIRE(EVP_DigestSign(ctx.get(), nullptr, &length, message.data(), message.size()) == 1);
  Bytes signature(length);
  REQUIRE(EVP_DigestSign(ctx.get(), signature.data(), &length, message.data(), message.size()) ==
          1);
  signature.resize(length);
  return signature;
}

inline Bytes bnParam(EVP_PKEY* key, const char* name) {
  BIGNUM* value = nullptr;
  REQUIRE(EVP_PKEY_get_bn_param(key, name, &value) == 1);
  Bytes out(static_cast<size_t>(BN_num_bytes(value)));
  BN_bn2bin(value, out.data());
  BN_free(value);
  return out;
}

// The public point as x and y (32 bytes each).
inline std::pair<Bytes, Bytes> ecPoint(EVP_PKEY* key) {
  Bytes point(65);
  size_t length = 0;
  REQUIRE(EVP_PKEY_get_octet_string_param(key, "pub", point.data(), point.size(), &length) == 1);
  REQUIRE(length == 65);
  return {Bytes(point.begin() + 1, point.begin() + 33), Bytes(point.begin() + 33, point.end())};
}

inline Bytes coseKeyFor(EVP_PKEY* key, int algorithm) {
  if (algorithm == kEs256) {
    const auto [x, y] = ecPoint(key);
    return MapBuilder()
        .add(1, intItem(2))
        .add(3, intItem(kEs256))
        .add(-1, intItem(1))
        .add(-2, bytesItem(x))
        .add(-3, bytesItem(y))
        .encoded();
  }
  if (algorithm == kEdDsa) {
    Bytes x(32);
    size_t length = x.size();
    REQUIRE(EVP_PKEY_get_raw_public_key(key, x.data(), &length) == 1);
    return MapBuilder()
        .add(1, intItem(1))
        .add(3, intItem(kEdDsa))
        .add(-1, intItem(6))
        .add(-2, bytesItem(x))
        .encoded();
  }
  return MapBuilder()
      .add(1, intItem(3))
      .add(3, intItem(kRs256))
      .add(-1, bytesItem(bnParam(key, "n")))
      .add(-2, bytesItem(bnParam(key, "e")))
      .encoded();
}

inline void appendBigEndian(Bytes& out, uint32_t value, int width) {
  for (int shift = 8 * (width - 1); shift >= 0; shift -= 8) {
    out.push_back(static_cast<unsigned char>(value >> shift));
  }
}

struct AttestedPart {
  Aaguid aaguid{};
  Bytes credentialId;
  Bytes coseKey;
};

// rpIdHash ‖ flags ‖ signCount ‖ [aaguid ‖ idLen ‖ id ‖ COSE key] ‖ extensions, as given (the
// flags are not adjusted, so tests can make them disagree with the contents).
inline Bytes buildAuthData(std::string_view rpId, uint8_t flags, uint32_t signCount,
                           const AttestedPart* attested = nullptr, const Bytes& extensions = {}) {
  Bytes out = sha256(rpId);
  out.push_back(flags);
  appendBigEndian(out, signCount, 4);
  if (attested != nullptr) {
    out.insert(out.end(), attested->aaguid.begin(), attested->aaguid.end());
    appendBigEndian(out, static_cast<uint32_t>(attested->credentialId.size()), 2);
    out.insert(out.end(), attested->credentialId.begin(), attested->credentialId.end());
    out.insert(out.end(), attested->coseKey.begin(), attested->coseKey.end());
  }
  out.insert(out.end(), extensions.begin(), extensions.end());
  return out;
}

// ---- Certificates ---------------------------------------------------------------------------

struct CertSpec {
  std::string commonName = "Test Attestation";
  std::string organizationalUnit = "Authenticator Attestation";
  bool ca = false;
  std::optional<Aaguid> aaguidExtension;
  bool aaguidCritical = false;
  long version = 2;  // X.509 v3
  long validDays = 365;
};

struct Issued {
  EvpPkeyPtr key;
  X509Ptr cert;
};

inline void addExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  REQUIRE(extension != nullptr);
  REQUIRE(X509_add_ext(cert, extension, -1) == 1);
  X509_EXTENSION_free(extension);
}

inline void addAaguidExtension(X509* cert, const Aaguid& aaguid, bool critical) {
  unsigned char der[18] = {0x04, 0x10};
  std::copy(aaguid.begin(), aaguid.end(), der + 2);
  ASN1_OCTET_STRING* value = ASN1_OCTET_STRING_new();
  REQUIRE(ASN1_OCTET_STRING_set(value, der, sizeof der) == 1);
  ASN1_OBJECT* oid = OBJ_txt2obj("1.3.6.1.4.1.45724.1.1.4", 1);
  X509_EXTENSION* extension = X509_EXTENSION_create_by_OBJ(nullptr, oid, critical ? 1 : 0, value);
  REQUIRE(extension != nullptr);
  REQUIRE(X509_add_ext(cert, extension, -1) == 1);
  X509_EXTENSION_free(extension);
  ASN1_OBJECT_free(oid);
  ASN1_OCTET_STRING_free(value);
}

// A certificate for a fresh key of `keyType`, signed by `issuer` (self-signed when null).
inline Issued issue(const CertSpec& spec, const Issued* issuer, const char* keyType = "EC") {
  Issued out{generateKey(keyType), X509Ptr(X509_new())};
  X509* cert = out.cert.get();
  static long serial = 1;
  REQUIRE(X509_set_version(cert, spec.version) == 1);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24 * spec.validDays);
  X509_NAME* name = X509_get_subject_name(cert);
  const auto addEntry = [name](const char* field, const std::string& value) {
    REQUIRE(X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(value.c_str()), -1,
                                       -1, 0) == 1);
  };
  addEntry("C", "DE");
  addEntry("O", "authd tests");
  if (!spec.organizationalUnit.empty()) addEntry("OU", spec.organizationalUnit);
  if (!spec.commonName.empty()) addEntry("CN", spec.commonName);
  X509* issuerCert = issuer != nullptr ? issuer->cert.get() : cert;
  EVP_PKEY* issuerKey = issuer != nullptr ? issuer->key.get() : out.key.get();
  REQUIRE(X509_set_issuer_name(cert, X509_get_subject_name(issuerCert)) == 1);
  REQUIRE(X509_set_pubkey(cert, out.key.get()) == 1);
  if (spec.version == 2) {
    addExtension(cert, issuerCert, NID_basic_constraints,
                 spec.ca ? "critical,CA:TRUE" : "CA:FALSE");
    if (spec.ca) addExtension(cert, issuerCert, NID_key_usage, "critical,keyCertSign,cRLSign");
    if (spec.aaguidExtension) addAaguidExtension(cert, *spec.aaguidExtension, spec.aaguidCritical);
  }
  const EVP_MD* md = EVP_PKEY_is_a(issuerKey, "ED25519") ? nullptr : EVP_sha256();
  REQUIRE(X509_sign(cert, issuerKey, md) > 0);
  return out;
}

inline Issued issueCa(const std::string& name, const Issued* parent = nullptr,
                      long validDays = 365) {
  CertSpec spec;
  spec.validDays = validDays;
  spec.commonName = name;
  spec.organizationalUnit = "Certificate Authority";
  spec.ca = true;
  return issue(spec, parent);
}

inline Bytes der(X509* cert) {
  unsigned char* buffer = nullptr;
  const int length = i2d_X509(cert, &buffer);
  REQUIRE(length > 0);
  Bytes out(buffer, buffer + length);
  OPENSSL_free(buffer);
  return out;
}

inline std::string pem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  REQUIRE(PEM_write_bio_X509(bio, cert) == 1);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(length));
  BIO_free(bio);
  return out;
}

// attStmt of "packed" with x5c: the attestation key signs authData ‖ clientDataHash.
inline Bytes packedX5cStatement(EVP_PKEY* attestationKey, int algorithm, const Bytes& authData,
                                const Bytes& clientDataHash, const std::vector<Bytes>& x5c) {
  return MapBuilder()
      .add("alg", intItem(algorithm))
      .add("sig", bytesItem(sign(attestationKey, algorithm, concat(authData, clientDataHash))))
      .add("x5c", arrayOf(x5c))
      .encoded();
}

// attStmt of "packed" self attestation with a key the test holds.
inline Bytes packedSelfStatement(EVP_PKEY* credentialKey, int algorithm, const Bytes& authData,
                                 const Bytes& clientDataHash) {
  return MapBuilder()
      .add("alg", intItem(algorithm))
      .add("sig", bytesItem(sign(credentialKey, algorithm, concat(authData, clientDataHash))))
      .encoded();
}

// attStmt of "fido-u2f": the attestation key signs
// 0x00 ‖ rpIdHash ‖ clientDataHash ‖ credentialId ‖ 0x04 ‖ x ‖ y.
inline Bytes fidoU2fStatement(EVP_PKEY* attestationKey, const Bytes& clientDataHash,
                              const Bytes& credentialId, const Bytes& x, const Bytes& y,
                              const std::vector<Bytes>& x5c) {
  Bytes message{0x00};
  for (const Bytes& part : {sha256(std::string_view(kRpId)), clientDataHash, credentialId}) {
    message.insert(message.end(), part.begin(), part.end());
  }
  message.push_back(0x04);
  message.insert(message.end(), x.begin(), x.end());
  message.insert(message.end(), y.begin(), y.end());
  return MapBuilder()
      .add("sig", bytesItem(sign(attestationKey, kEs256, message)))
      .add("x5c", arrayOf(x5c))
      .encoded();
}

}  // namespace authd::fido2::test
