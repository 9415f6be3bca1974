#include "authd/fido2/attestation.h"

#include <vector>

#include "authd/fido2/attestation_cert.h"
#include "authd/fido2/cbor_strict.h"
#include "authd/fido2/reasons.h"
#include "authd/fido2/signature.h"
#include "authd/fido2/trust_store.h"

namespace authd::fido2 {
namespace {

constexpr std::string_view kFormatNone = "none";
constexpr std::string_view kFormatPacked = "packed";
constexpr std::string_view kFormatFidoU2f = "fido-u2f";

struct ProvenStatement {
  AttestationType type = AttestationType::none;
  std::optional<CertificateChain> chain;  // basic attestation only
};

bool formatAllowed(AttestationPolicy policy, std::string_view fmt) {
  if (fmt == kFormatPacked || fmt == kFormatFidoU2f) return true;
  return fmt == kFormatNone && policy == AttestationPolicy::none;
}

// "none": the statement is the empty map.
std::optional<ProvenStatement> verifyNone(const cbor_item_t* statement) {
  if (cbor_map_size(statement) != 0) return std::nullopt;
  return ProvenStatement{};
}

// "packed" with x5c: the leaf's key (of the type alg names) signed authData ‖ clientDataHash.
std::optional<ProvenStatement> verifyPackedBasic(const AttestationEvidence& evidence, int algorithm,
                                                 ByteSpan signature, const cbor_item_t* x5c) {
  std::optional<CertificateChain> chain = decodeX5c(x5c);
  if (!chain) return std::nullopt;
  EVP_PKEY* attestationKey = X509_get0_pubkey(chain->leaf.get());
  if (!keySuitsAlgorithm(attestationKey, algorithm) ||
      !meetsPackedCertificateRequirements(chain->leaf.get(), evidence.credential.aaguid) ||
      !verifySignature(attestationKey, algorithm, evidence.authData, evidence.clientDataHash,
                       signature)) {
    return std::nullopt;
  }
  return ProvenStatement{AttestationType::basic, std::move(chain)};
}

// "packed" self attestation: the credential key itself signed, with its own algorithm.
std::optional<ProvenStatement> verifyPackedSelf(const AttestationEvidence& evidence, int algorithm,
                                                ByteSpan signature) {
  if (algorithm != evidence.credentialKey.algorithm ||
      !verifySignature(evidence.credentialKey.publicKey.get(), algorithm, evidence.authData,
                       evidence.clientDataHash, signature)) {
    return std::nullopt;
  }
  return ProvenStatement{AttestationType::self, std::nullopt};
}

// "packed": {alg, sig} or {alg, sig, x5c}; ECDAA (ecdaaKeyId) is not supported.
std::optional<ProvenStatement> verifyPacked(const AttestationEvidence& evidence,
                                            const cbor_item_t* statement) {
  const std::optional<std::int64_t> algorithm = cborAsInt(cborMapGet(statement, "alg"));
  const std::optional<ByteSpan> signature = cborAsBytes(cborMapGet(statement, "sig"));
  const cbor_item_t* x5c = cborMapGet(statement, "x5c");
  const std::size_t expectedSize = x5c != nullptr ? 3 : 2;
  if (!algorithm || !signature || cbor_map_size(statement) != expectedSize ||
      (*algorithm != kEs256 && *algorithm != kEdDsa && *algorithm != kRs256)) {
    return std::nullopt;
  }
  const int alg = static_cast<int>(*algorithm);
  return x5c != nullptr ? verifyPackedBasic(evidence, alg, *signature, x5c)
                        : verifyPackedSelf(evidence, alg, *signature);
}

// The uncompressed point 0x04 ‖ x ‖ y of an ES256 COSE key.
std::optional<std::vector<unsigned char>> es256Point(ByteSpan coseKey) {
  const CborItem key = decodeStrictCbor(coseKey);
  const std::optional<ByteSpan> x = cborAsBytes(cborMapGet(key.get(), std::int64_t{-2}));
  const std::optional<ByteSpan> y = cborAsBytes(cborMapGet(key.get(), std::int64_t{-3}));
  if (!x || !y) return std::nullopt;
  std::vector<unsigned char> point{0x04};
  point.insert(point.end(), x->begin(), x->end());
  point.insert(point.end(), y->begin(), y->end());
  return point;
}

// "fido-u2f" (§8.6): one P-256 certificate signed
// 0x00 ‖ rpIdHash ‖ clientDataHash ‖ credentialId ‖ 0x04 ‖ x ‖ y of an ES256 credential.
std::optional<ProvenStatement> verifyFidoU2f(const AttestationEvidence& evidence,
                                             const cbor_item_t* statement) {
  const std::optional<ByteSpan> signature = cborAsBytes(cborMapGet(statement, "sig"));
  const cbor_item_t* x5c = cborMapGet(statement, "x5c");
  if (!signature || cbor_map_size(statement) != 2 || x5c == nullptr || !cbor_isa_array(x5c) ||
      cbor_array_size(x5c) != 1 || evidence.credentialKey.algorithm != kEs256) {
    return std::nullopt;
  }
  std::optional<CertificateChain> chain = decodeX5c(x5c);
  const std::optional<std::vector<unsigned char>> point = es256Point(evidence.credential.coseKey);
  if (!chain || !point || !keySuitsAlgorithm(X509_get0_pubkey(chain->leaf.get()), kEs256)) {
    return std::nullopt;
  }
  std::vector<unsigned char> signedData{0x00};
  signedData.insert(signedData.end(), evidence.rpIdHash.begin(), evidence.rpIdHash.end());
  signedData.insert(signedData.end(), evidence.clientDataHash.begin(),
                    evidence.clientDataHash.end());
  signedData.insert(signedData.end(), evidence.credential.credentialId.begin(),
                    evidence.credential.credentialId.end());
  if (!verifySignature(X509_get0_pubkey(chain->leaf.get()), kEs256, signedData, *point,
                       *signature)) {
    return std::nullopt;
  }
  return ProvenStatement{AttestationType::basic, std::move(chain)};
}

std::optional<ProvenStatement> verifyStatement(const AttestationEvidence& evidence) {
  const CborItem statement = decodeStrictCbor(evidence.attStmt);
  if (!statement || !cbor_isa_map(statement.get())) return std::nullopt;
  if (evidence.fmt == kFormatNone) return verifyNone(statement.get());
  if (evidence.fmt == kFormatPacked) return verifyPacked(evidence, statement.get());
  return verifyFidoU2f(evidence, statement.get());
}

bool trusted(const ProvenStatement& statement, const AttestationTrust& trust) {
  if (statement.type != AttestationType::basic || !statement.chain) return false;
  const std::shared_ptr<X509_STORE> store = trustStoreFor(trust.caBundlePem);
  return store && chainsToTrustStore(store.get(), statement.chain->leaf.get(),
                                     statement.chain->intermediates.get());
}

}  // namespace

AttestationVerdict verifyAttestation(const AttestationEvidence& evidence,
                                     const AttestationTrust& trust) {
  if (!formatAllowed(trust.policy, evidence.fmt)) {
    return {std::nullopt, reason::kAttestationFormatNotAllowed};
  }
  const std::optional<ProvenStatement> statement = verifyStatement(evidence);
  if (!statement) return {std::nullopt, reason::kAttestationInvalid};
  if (trust.policy == AttestationPolicy::trusted) {
    if (!trusted(*statement, trust)) return {std::nullopt, reason::kAttestationNotTrusted};
    return {statement->type, {}};
  }
  // The certificate signed, but nothing vouches for the certificate: record no more than that.
  if (statement->type == AttestationType::basic) return {AttestationType::basicUnverified, {}};
  return {statement->type, {}};
}

}  // namespace authd::fido2
