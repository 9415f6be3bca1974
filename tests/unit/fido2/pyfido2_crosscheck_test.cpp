// Independent verifiers accept the soft key's artefacts for every algorithm and attestation
// format, and reject tampered ones: python3-fido2 (tests/integration/pyfido2_check.py, CTAP and
// WebAuthn/Fido2Server forms) and fido2-tools (fido2-cred -V, fido2-assert -V -p). Each verifier
// that is not installed is skipped with a message.
#include <openssl/evp.h>
#include <openssl/sha.h>
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

std::string base64(ByteView data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(),
                                static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string base64url(ByteView data) {
  std::string out = base64(data);
  for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

Bytes sha256(std::string_view text) {
  Bytes digest(SHA256_DIGEST_LENGTH);
  SHA256(reinterpret_cast<const uint8_t*>(text.data()), text.size(), digest.data());
  return digest;
}

// fido_assert_authdata_ptr is CBOR-wrapped; the verifiers want the raw bytes too.
Bytes unwrapBytes(const Bytes& wrapped) {
  CborPtr item = decodeCbor(wrapped);
  REQUIRE(item);
  const std::optional<ByteView> raw = asBytes(item.get());
  REQUIRE(raw);
  return Bytes(raw->begin(), raw->end());
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "soft-xcheck-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string file(const char* name) const { return (path / name).string(); }
};

// Runs a shell command with its output sent to `log` (default: discarded); its exit status.
int run(const std::string& command, const std::string& log = "/dev/null") {
  const int status = std::system((command + " >" + log + " 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string readText(const std::string& file) {
  std::ifstream in(file);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeText(const std::string& file, const std::string& text) { std::ofstream(file) << text; }

bool havePyfido2() {
  static const bool installed =
      access("/usr/bin/python3", X_OK) == 0 &&
      run("/usr/bin/python3 -c 'import fido2.server, fido2.attestation'") == 0;
  return installed;
}

bool haveFido2Tools() {
  return std::string(FIDO2_CRED_BIN).find("NOTFOUND") == std::string::npos &&
         access(FIDO2_CRED_BIN, X_OK) == 0 && access(FIDO2_ASSERT_BIN, X_OK) == 0;
}

struct Registration {
  std::string fmt;
  int type = 0;
  Bytes cdh;
  Bytes authData;      // raw
  Bytes authDataCbor;  // CBOR-wrapped (fido2-cred)
  Bytes attStmt;       // CBOR map
  Bytes credentialId;
  Bytes signature;  // attStmt sig (fido2-cred)
  Bytes x5c;        // leaf, empty without
  CredPtr cred;
};

struct Assertion {
  Bytes cdh;
  Bytes authData;
  Bytes authDataCbor;
  Bytes signature;
};

Registration registerWith(fido_dev_t* dev, int type, const Bytes& cdh) {
  Registration r;
  r.cred = credRequestFor(type, cdh);
  REQUIRE(fido_dev_make_cred(dev, r.cred.get(), nullptr) == FIDO_OK);
  const fido_cred_t* c = r.cred.get();
  r.fmt = fido_cred_fmt(c);
  r.type = type;
  r.cdh = cdh;
  r.authData = view(fido_cred_authdata_raw_ptr(c), fido_cred_authdata_raw_len(c));
  r.authDataCbor = view(fido_cred_authdata_ptr(c), fido_cred_authdata_len(c));
  r.attStmt = view(fido_cred_attstmt_ptr(c), fido_cred_attstmt_len(c));
  r.credentialId = view(fido_cred_id_ptr(c), fido_cred_id_len(c));
  r.signature = view(fido_cred_sig_ptr(c), fido_cred_sig_len(c));
  r.x5c = view(fido_cred_x5c_ptr(c), fido_cred_x5c_len(c));
  return r;
}

Assertion assertWith(fido_dev_t* dev, const Registration& r, const Bytes& cdh) {
  AssertPtr got = assertRequest(cdh, r.cred.get());
  REQUIRE(fido_dev_get_assert(dev, got.get(), nullptr) == FIDO_OK);
  Assertion a;
  a.cdh = cdh;
  a.authDataCbor =
      view(fido_assert_authdata_ptr(got.get(), 0), fido_assert_authdata_len(got.get(), 0));
  a.authData = unwrapBytes(a.authDataCbor);
  a.signature = view(fido_assert_sig_ptr(got.get(), 0), fido_assert_sig_len(got.get(), 0));
  return a;
}

// The CTAP-form JSON of pyfido2_check.py; `ca` empty: no chain check.
std::string ctapJson(const Registration& r, const Assertion* a, const Bytes& ca = {}) {
  std::string json = "{\"rp_id\":\"" + std::string(kRp) + "\",\"fmt\":\"" + r.fmt +
                     "\",\"auth_data\":\"" + base64url(r.authData) + "\",\"att_stmt\":\"" +
                     base64url(r.attStmt) + "\",\"cdh\":\"" + base64url(r.cdh) + "\"";
  if (!ca.empty()) json += ",\"ca\":\"" + base64url(ca) + "\"";
  if (a != nullptr) {
    json += ",\"assertion\":{\"auth_data\":\"" + base64url(a->authData) + "\",\"signature\":\"" +
            base64url(a->signature) + "\",\"credential_id\":\"" + base64url(r.credentialId) +
            "\",\"cdh\":\"" + base64url(a->cdh) + "\"}";
  }
  return json + "}";
}

// pyfido2_check.py's exit status for this JSON (its report in *log when given).
int pyfido2(const TempDir& dir, const std::string& json, bool expectFail = false,
            std::string* log = nullptr) {
  const std::string input = dir.file("check.json");
  writeText(input, json);
  const int rc = run(std::string("/usr/bin/python3 ") + AUTHD_PYFIDO2_CHECK + " " + input +
                         (expectFail ? " --expect-fail" : ""),
                     dir.file("check.log"));
  if (log != nullptr) *log = readText(dir.file("check.log"));
  return rc;
}

// Many checks in one interpreter start (python3-fido2 imports take a while): the batch form.
class PyBatch {
 public:
  void expect(const std::string& name, const std::string& json, bool fail) {
    items_ += (items_.empty() ? "[" : ",") + std::string("{\"name\":\"") + name +
              "\",\"expect_fail\":" + (fail ? "true," : "false,") + json.substr(1);
  }
  void run(const TempDir& dir) const {
    std::string log;
    const int rc = pyfido2(dir, items_ + "]", false, &log);
    CHECK_MESSAGE(rc == 0, log);
  }

 private:
  std::string items_;
};

const char* toolType(int type) {
  return type == COSE_EDDSA ? "eddsa" : type == COSE_RS256 ? "rs256" : "es256";
}

// fido2-cred -V, writing the public key PEM to dir/pk.pem; the exit status.
int fido2CredVerify(const TempDir& dir, const Registration& r) {
  std::string lines = base64(r.cdh) + "\n" + kRp + "\n" + r.fmt + "\n" + base64(r.authDataCbor) +
                      "\n" + base64(r.credentialId) + "\n" + base64(r.signature) + "\n";
  if (!r.x5c.empty()) lines += base64(r.x5c) + "\n";
  writeText(dir.file("cred_in"), lines);
  const int rc = run(std::string(FIDO2_CRED_BIN) + " -V -i " + dir.file("cred_in") + " -o " +
                     dir.file("cred_out") + " " + toolType(r.type));
  if (rc == 0) {  // output: the credential id line, then the PEM public key
    std::ifstream out(dir.file("cred_out"));
    std::string line;
    std::getline(out, line);
    std::ofstream(dir.file("pk.pem")) << out.rdbuf();
  }
  return rc;
}

int fido2AssertVerify(const TempDir& dir, const Assertion& a, int type) {
  writeText(dir.file("assert_in"), base64(a.cdh) + "\n" + kRp + "\n" + base64(a.authDataCbor) +
                                       "\n" + base64(a.signature) + "\n");
  return run(std::string(FIDO2_ASSERT_BIN) + " -V -p -i " + dir.file("assert_in") + " " +
             dir.file("pk.pem") + " " + toolType(type));
}

const AttestationCa& testCa() {
  static const AttestationCa ca = makeAttestationCa();
  return ca;
}

SoftAuthenticatorConfig configFor(AttestationFormat format) {
  SoftAuthenticatorConfig config;
  config.name = "xcheck";
  config.attestation = format;
  config.aaguid =
      std::array<uint8_t, 16>{0x0a, 0x0b, 0x0c, 0x0d, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2};
  if (format == AttestationFormat::packedX5c || format == AttestationFormat::fidoU2f) {
    config.attestationIdentity = makeAttestationIdentity(testCa(), *config.aaguid);
  }
  return config;
}

struct Case {
  const char* name;
  AttestationFormat format;
  int type;
};

const Case kCases[] = {
    {"packed self ES256", AttestationFormat::packedSelf, COSE_ES256},
    {"packed self EdDSA", AttestationFormat::packedSelf, COSE_EDDSA},
    {"packed self RS256", AttestationFormat::packedSelf, COSE_RS256},
    {"packed x5c ES256", AttestationFormat::packedX5c, COSE_ES256},
    {"packed x5c EdDSA", AttestationFormat::packedX5c, COSE_EDDSA},
    {"packed x5c RS256", AttestationFormat::packedX5c, COSE_RS256},
    {"fido-u2f ES256", AttestationFormat::fidoU2f, COSE_ES256},
    {"none ES256", AttestationFormat::none, COSE_ES256},
};

}  // namespace

TEST_CASE("python3-fido2 and fido2-tools accept every algorithm and format, reject tampering") {
  const bool python = havePyfido2();
  const bool tools = haveFido2Tools();
  if (std::getenv("AUTHD_REQUIRE_VERIFIERS") != nullptr) {
    // CI installs both (scripts/install-deps.sh): there a missing verifier is a failure.
    REQUIRE_MESSAGE(python, "python3-fido2 is required (AUTHD_REQUIRE_VERIFIERS)");
    REQUIRE_MESSAGE(tools, "fido2-tools are required (AUTHD_REQUIRE_VERIFIERS)");
  }
  if (!python) MESSAGE("python3-fido2 not installed: its cross-check is skipped");
  if (!tools) MESSAGE("fido2-tools not installed: their cross-check is skipped");
  if (!python && !tools) return;
  TempDir pyDir;
  PyBatch batch;
  const AttestationCa stranger = makeAttestationCa("stranger");
  for (const Case& c : kCases) {
    CAPTURE(std::string(c.name));
    TempDir dir;
    SoftAuthenticator key(configFor(c.format));
    FidoDevicePtr dev = openSoftDevice(key.path());
    REQUIRE(dev);
    const Registration good = registerWith(dev.get(), c.type, clientDataHash(0x71));
    const Assertion assertion = assertWith(dev.get(), good, clientDataHash(0x72));
    key.faults().tamperSignature = true;
    const Assertion tamperedAssertion = assertWith(dev.get(), good, clientDataHash(0x73));
    const Registration tampered = registerWith(dev.get(), c.type, clientDataHash(0x74));
    const bool hasSignature = c.format != AttestationFormat::none;
    const bool hasX5c =
        c.format == AttestationFormat::packedX5c || c.format == AttestationFormat::fidoU2f;

    const std::string name = c.name;
    batch.expect(name + ": registration and assertion", ctapJson(good, &assertion), false);
    batch.expect(name + ": tampered assertion", ctapJson(good, &tamperedAssertion), true);
    if (hasSignature)
      batch.expect(name + ": tampered attestation", ctapJson(tampered, nullptr), true);
    if (hasX5c) {
      batch.expect(name + ": x5c chains to the CA",
                   ctapJson(good, nullptr, testCa().certificateDer), false);
      batch.expect(name + ": x5c does not chain to a stranger",
                   ctapJson(good, nullptr, stranger.certificateDer), true);
    }
    if (tools && hasSignature) {
      REQUIRE(fido2CredVerify(dir, good) == 0);
      CHECK(fido2AssertVerify(dir, assertion, c.type) == 0);
      CHECK(fido2AssertVerify(dir, tamperedAssertion, c.type) == 1);
      CHECK(fido2CredVerify(dir, tampered) == 1);
    } else if (tools) {
      CHECK(fido2CredVerify(dir, good) != 0);  // "none" has nothing to verify
    }
  }
  if (python) batch.run(pyDir);
}

TEST_CASE("pyfido2_check.py single form: exit 0 verified, 1 rejected, --expect-fail swaps") {
  if (!havePyfido2()) {
    MESSAGE("python3-fido2 not installed: skipped");
    return;
  }
  TempDir dir;
  SoftAuthenticator key;
  FidoDevicePtr dev = openSoftDevice(key.path());
  const Registration good = registerWith(dev.get(), COSE_ES256, clientDataHash(0x75));
  const Assertion assertion = assertWith(dev.get(), good, clientDataHash(0x76));
  key.faults().tamperSignature = true;
  const Assertion tampered = assertWith(dev.get(), good, clientDataHash(0x77));
  CHECK(pyfido2(dir, ctapJson(good, &assertion)) == 0);
  CHECK(pyfido2(dir, ctapJson(good, &tampered)) == 1);
  CHECK(pyfido2(dir, ctapJson(good, &tampered), true) == 0);
}

TEST_CASE("python3-fido2 Fido2Server verifies the WebAuthn form (ClientDataJSON)") {
  if (!havePyfido2()) {
    MESSAGE("python3-fido2 not installed: skipped");
    return;
  }
  TempDir dir;
  SoftAuthenticator key(configFor(AttestationFormat::packedX5c));
  FidoDevicePtr dev = openSoftDevice(key.path());
  const Bytes challenge = clientDataHash(0x81);
  const Bytes assertChallenge = clientDataHash(0x82);
  auto clientData = [](const char* type, const Bytes& ch) {
    return std::string("{\"type\":\"") + type + "\",\"challenge\":\"" + base64url(ch) +
           "\",\"origin\":\"pam://" + kRp + "\",\"crossOrigin\":false}";
  };
  const std::string create = clientData("webauthn.create", challenge);
  const std::string get = clientData("webauthn.get", assertChallenge);
  const Registration r = registerWith(dev.get(), COSE_EDDSA, sha256(create));
  const Assertion a = assertWith(dev.get(), r, sha256(get));
  auto json = [&](const Bytes& serverChallenge) {
    return "{\"rp_id\":\"" + std::string(kRp) + "\",\"fmt\":\"" + r.fmt + "\",\"auth_data\":\"" +
           base64url(r.authData) + "\",\"att_stmt\":\"" + base64url(r.attStmt) +
           "\",\"client_data\":\"" + base64url(toBytes(create)) + "\",\"challenge\":\"" +
           base64url(serverChallenge) + "\",\"ca\":\"" + base64url(testCa().certificateDer) +
           "\",\"assertion\":{\"auth_data\":\"" + base64url(a.authData) + "\",\"signature\":\"" +
           base64url(a.signature) + "\",\"credential_id\":\"" + base64url(r.credentialId) +
           "\",\"client_data\":\"" + base64url(toBytes(get)) + "\",\"challenge\":\"" +
           base64url(assertChallenge) + "\"}}";
  };
  PyBatch batch;
  batch.expect("WebAuthn form", json(challenge), false);
  batch.expect("WebAuthn form, wrong challenge", json(clientDataHash(0x99)), true);
  batch.run(dir);
}

TEST_CASE("pyfido2_check.py: bad input is neither success nor expected failure") {
  if (!havePyfido2()) {
    MESSAGE("python3-fido2 not installed: skipped");
    return;
  }
  TempDir dir;
  CHECK(pyfido2(dir, "[{\"rp_id\":\"x\"}]", true) == 2);
}
