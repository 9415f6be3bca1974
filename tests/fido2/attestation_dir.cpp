#include "fido2/attestation_dir.h"

#include <filesystem>
#include <stdexcept>

#include "fido2/attestation_certs.h"
#include "fido2/file_util.h"

namespace authd::testing {
namespace {

constexpr size_t kMaxPemSize = 64 * 1024;

struct PemPair {
  std::string certificatePath;
  std::string keyPath;
};

Bytes textBytes(const std::string& text) { return toBytes(text); }

// Both files' DER contents, or nullopt when neither exists.
std::optional<std::pair<Bytes, Bytes>> loadPair(const PemPair& files) {
  std::optional<Bytes> certificate = readWholeFile(files.certificatePath, kMaxPemSize);
  std::optional<Bytes> key = readWholeFile(files.keyPath, kMaxPemSize);
  if (!certificate && !key) return std::nullopt;
  if (!certificate || !key) {
    throw std::runtime_error("attestation files incomplete: " + files.certificatePath + ", " +
                             files.keyPath);
  }
  std::optional<Bytes> der =
      certificateDerFromPem(std::string(certificate->begin(), certificate->end()));
  std::optional<Bytes> pkcs8 = privateKeyFromPem(std::string(key->begin(), key->end()));
  wipeBytes(*key);
  if (!der || !pkcs8)
    throw std::runtime_error("attestation files malformed: " + files.certificatePath);
  return std::make_pair(std::move(*der), std::move(*pkcs8));
}

// Key first: a reader that finds the certificate also finds its key.
void savePair(const PemPair& files, ByteView certificateDer, ByteView pkcs8) {
  Bytes keyPem = textBytes(privateKeyPem(pkcs8));
  writeFileAtomically(files.keyPath, keyPem, 0600);
  wipeBytes(keyPem);
  writeFileAtomically(files.certificatePath, textBytes(certificatePem(certificateDer)), 0644);
}

}  // namespace

AttestationIdentity loadOrCreateAttestation(const std::string& dir, std::string_view keyName,
                                            const std::array<uint8_t, 16>& aaguid) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);  // a failure shows when writing
  const PemPair caFiles{dir + "/ca.pem", dir + "/ca.key"};
  AttestationCa ca;
  if (auto stored = loadPair(caFiles)) {
    ca = AttestationCa{std::move(stored->first), std::move(stored->second)};
  } else {
    ca = makeAttestationCa();
    savePair(caFiles, ca.certificateDer, ca.privateKeyPkcs8);
  }
  const std::string stem = dir + "/" + std::string(keyName) + "-attestation";
  const PemPair leafFiles{stem + ".pem", stem + ".key"};
  AttestationIdentity identity;
  if (auto stored = loadPair(leafFiles)) {
    identity = AttestationIdentity{std::move(stored->second), {std::move(stored->first)}};
  } else {
    identity = makeAttestationIdentity(ca, aaguid, "authd soft-fido2 " + std::string(keyName));
    savePair(leafFiles, identity.x5c.front(), identity.privateKeyPkcs8);
  }
  wipeBytes(ca.privateKeyPkcs8);
  return identity;
}

}  // namespace authd::testing
