// Cross-check with an independent verifier: the credential and assertion artefacts of the soft
// key, written in the format of `man fido2-cred` / `man fido2-assert`, must pass
// `fido2-cred -V` and `fido2-assert -V -p` (Debian fido2-tools); tampered ones must not.
#include <openssl/evp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "fido2/attestation_certs.h"
#include "fido2/soft_authenticator.h"
#include "fido2/virtual_device.h"
#include "fido2_test_util.h"

using namespace authd::testing;

namespace {

std::string base64(const unsigned char* data, size_t length) {
  std::string out(4 * ((length + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(length));
  out.resize(static_cast<size_t>(n));
  return out;
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "soft-fido2-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

int run(const std::string& command) {
  const int status = std::system((command + " 2>/dev/null").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void writeLines(const std::filesystem::path& file, std::initializer_list<std::string> lines) {
  std::ofstream out(file);
  for (const std::string& line : lines) out << line << '\n';
}

// fido2-cred -V input: cdh, rp id, fmt, authData (CBOR-wrapped), credential id, sig.
void writeCredInput(const std::filesystem::path& file, const fido_cred_t* cred, const Bytes& cdh) {
  writeLines(file, {base64(cdh.data(), cdh.size()), kRp, fido_cred_fmt(cred),
                    base64(fido_cred_authdata_ptr(cred), fido_cred_authdata_len(cred)),
                    base64(fido_cred_id_ptr(cred), fido_cred_id_len(cred)),
                    base64(fido_cred_sig_ptr(cred), fido_cred_sig_len(cred))});
}

// fido2-assert -V input: cdh, rp id, authData (CBOR-wrapped), sig.
void writeAssertInput(const std::filesystem::path& file, const fido_assert_t* got,
                      const Bytes& cdh) {
  writeLines(file, {base64(cdh.data(), cdh.size()), kRp,
                    base64(fido_assert_authdata_ptr(got, 0), fido_assert_authdata_len(got, 0)),
                    base64(fido_assert_sig_ptr(got, 0), fido_assert_sig_len(got, 0))});
}

bool haveTools() {
  return std::string(FIDO2_CRED_BIN).find("NOTFOUND") == std::string::npos &&
         std::string(FIDO2_ASSERT_BIN).find("NOTFOUND") == std::string::npos &&
         access(FIDO2_CRED_BIN, X_OK) == 0 && access(FIDO2_ASSERT_BIN, X_OK) == 0;
}

}  // namespace

TEST_CASE("fido2-cred -V and fido2-assert -V -p accept the soft key's artefacts") {
  if (!haveTools()) {
    MESSAGE("fido2-tools not installed: independent cross-check skipped");
    return;
  }
  TempDir dir;
  SoftAuthenticator key;
  FidoDevicePtr dev = openSoftDevice(key.path());
  REQUIRE(dev);
  const Bytes cdh = clientDataHash(0x31);
  CredPtr cred = credRequest(cdh);
  REQUIRE(fido_dev_make_cred(dev.get(), cred.get(), nullptr) == FIDO_OK);
  writeCredInput(dir.path / "cred_in", cred.get(), cdh);
  const std::string credOut = (dir.path / "cred_out").string();
  REQUIRE(run(std::string(FIDO2_CRED_BIN) + " -V -i " + (dir.path / "cred_in").string() + " -o " +
              credOut + " es256") == 0);
  // Output: credential id, then the PEM public key.
  REQUIRE(run("tail -n +2 " + credOut + " > " + (dir.path / "pk.pem").string()) == 0);

  const Bytes challenge = clientDataHash(0x32);
  AssertPtr got = assertRequest(challenge, cred.get());
  REQUIRE(fido_dev_get_assert(dev.get(), got.get(), nullptr) == FIDO_OK);
  writeAssertInput(dir.path / "assert_in", got.get(), challenge);
  const std::string verifyAssert = std::string(FIDO2_ASSERT_BIN) + " -V -p -i " +
                                   (dir.path / "assert_in").string() + " " +
                                   (dir.path / "pk.pem").string() + " es256";
  CHECK(run(verifyAssert) == 0);

  SUBCASE("a tampered assertion is rejected") {
    key.faults().tamperSignature = true;
    got = assertRequest(challenge, cred.get());
    REQUIRE(fido_dev_get_assert(dev.get(), got.get(), nullptr) == FIDO_OK);
    writeAssertInput(dir.path / "assert_in", got.get(), challenge);
    CHECK(run(verifyAssert) == 1);
  }
  SUBCASE("an assertion without user presence is rejected with -p") {
    key.faults().userPresenceOff = true;
    got = assertRequest(challenge, cred.get());
    REQUIRE(fido_dev_get_assert(dev.get(), got.get(), nullptr) == FIDO_OK);
    writeAssertInput(dir.path / "assert_in", got.get(), challenge);
    CHECK(run(verifyAssert) == 1);
  }
  SUBCASE("a tampered attestation is rejected") {
    key.faults().tamperSignature = true;
    CredPtr bad = credRequest(cdh);
    REQUIRE(fido_dev_make_cred(dev.get(), bad.get(), nullptr) == FIDO_OK);
    writeCredInput(dir.path / "cred_in", bad.get(), cdh);
    CHECK(run(std::string(FIDO2_CRED_BIN) + " -V -i " + (dir.path / "cred_in").string() +
              " es256") == 1);
  }
}

namespace {

SoftAuthenticatorConfig attestedConfig(AttestationFormat format) {
  static const AttestationCa ca = makeAttestationCa();
  SoftAuthenticatorConfig config;
  config.name = "attested";
  config.attestation = format;
  config.aaguid =
      std::array<uint8_t, 16>{0xa1, 0xa2, 0xa3, 0xa4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  config.attestationIdentity = makeAttestationIdentity(ca, *config.aaguid);
  return config;
}

Bytes authDataAaguid(const fido_cred_t* cred) {
  return view(fido_cred_aaguid_ptr(cred), fido_cred_aaguid_len(cred));
}

}  // namespace

TEST_CASE("packed attestation with x5c verifies with fido_cred_verify against the leaf") {
  SoftAuthenticatorConfig config = attestedConfig(AttestationFormat::packedX5c);
  SoftAuthenticator key(config);
  FidoDevicePtr dev = openSoftDevice(key.path());
  const Bytes cdh = clientDataHash(0x51);
  CredPtr cred = credRequest(cdh);
  REQUIRE(fido_dev_make_cred(dev.get(), cred.get(), nullptr) == FIDO_OK);
  CHECK(std::string(fido_cred_fmt(cred.get())) == "packed");
  CHECK(view(fido_cred_x5c_ptr(cred.get()), fido_cred_x5c_len(cred.get())) ==
        config.attestationIdentity->x5c.front());
  CHECK(authDataAaguid(cred.get()) == Bytes(config.aaguid->begin(), config.aaguid->end()));
  CHECK(verifyCredentialAs(cred.get(), cdh) == FIDO_OK);
  CHECK(verifyCredentialAs(cred.get(), clientDataHash(0x52)) == FIDO_ERR_INVALID_SIG);
  key.faults().tamperSignature = true;
  CredPtr bad = credRequest(cdh);
  REQUIRE(fido_dev_make_cred(dev.get(), bad.get(), nullptr) == FIDO_OK);
  CHECK(verifyCredentialAs(bad.get(), cdh) == FIDO_ERR_INVALID_SIG);
}

TEST_CASE("x5c attestation of EdDSA and RS256 credentials is signed by the ES256 attestation key") {
  SoftAuthenticator key(attestedConfig(AttestationFormat::packedX5c));
  FidoDevicePtr dev = openSoftDevice(key.path());
  for (int type : {COSE_EDDSA, COSE_RS256}) {
    CAPTURE(type);
    const Bytes cdh = clientDataHash(0x53);
    CredPtr cred = credRequestFor(type, cdh);
    REQUIRE(fido_dev_make_cred(dev.get(), cred.get(), nullptr) == FIDO_OK);
    CHECK(verifyCredentialAs(cred.get(), cdh) == FIDO_OK);
  }
}

TEST_CASE("fido-u2f attestation: x5c, zero AAGUID, ES256 only") {
  SoftAuthenticator key(attestedConfig(AttestationFormat::fidoU2f));
  FidoDevicePtr dev = openSoftDevice(key.path());
  const Bytes cdh = clientDataHash(0x54);
  CredPtr cred = credRequest(cdh);
  REQUIRE(fido_dev_make_cred(dev.get(), cred.get(), nullptr) == FIDO_OK);
  CHECK(std::string(fido_cred_fmt(cred.get())) == "fido-u2f");
  CHECK(authDataAaguid(cred.get()) == Bytes(16, 0));
  CHECK(fido_cred_x5c_len(cred.get()) > 0);
  CHECK(verifyCredentialAs(cred.get(), cdh) == FIDO_OK);
  CHECK(verifyCredentialAs(cred.get(), clientDataHash(0x55)) == FIDO_ERR_INVALID_SIG);
  CredPtr eddsa = credRequestFor(COSE_EDDSA, cdh);
  CHECK(fido_dev_make_cred(dev.get(), eddsa.get(), nullptr) == FIDO_ERR_UNSUPPORTED_ALGORITHM);
  key.faults().tamperSignature = true;
  CredPtr bad = credRequest(cdh);
  REQUIRE(fido_dev_make_cred(dev.get(), bad.get(), nullptr) == FIDO_OK);
  CHECK(verifyCredentialAs(bad.get(), cdh) == FIDO_ERR_INVALID_SIG);
}

TEST_CASE("none attestation: empty statement that libfido2 accepts but cannot verify") {
  SoftAuthenticatorConfig config;
  config.attestation = AttestationFormat::none;
  SoftAuthenticator key(config);
  FidoDevicePtr dev = openSoftDevice(key.path());
  const Bytes cdh = clientDataHash(0x56);
  CredPtr cred = credRequest(cdh);
  REQUIRE(fido_dev_make_cred(dev.get(), cred.get(), nullptr) == FIDO_OK);
  CHECK(std::string(fido_cred_fmt(cred.get())) == "none");
  CHECK(fido_cred_sig_len(cred.get()) == 0);
  CHECK(verifyCredentialAs(cred.get(), cdh) != FIDO_OK);
  // The credential itself works: its assertions verify with its public key.
  AssertPtr got = assertRequest(cdh, cred.get());
  REQUIRE(fido_dev_get_assert(dev.get(), got.get(), nullptr) == FIDO_OK);
  CHECK(verifyAssertionAs(got.get(), cdh, cred.get()) == FIDO_OK);
}

TEST_CASE("x5c modes without an attestation identity are a setup error") {
  SoftAuthenticatorConfig config;
  config.attestation = AttestationFormat::packedX5c;
  CHECK_THROWS_AS(SoftAuthenticator{config}, std::invalid_argument);
  config.attestation = AttestationFormat::fidoU2f;
  config.attestationIdentity = AttestationIdentity{toBytes("not a key"), {toBytes("x")}};
  CHECK_THROWS_AS(SoftAuthenticator{config}, std::invalid_argument);
}
