#include "authd/fido2/attestation.h"

#include <doctest/doctest.h>

#include "authd/fido2/auth_data.h"
#include "authd/fido2/cose_key.h"
#include "rp_test_support.h"

using namespace authd::fido2;
using namespace authd::fido2::test;

namespace {

constexpr AttestationPolicy kAllPolicies[] = {AttestationPolicy::none, AttestationPolicy::self,
                                              AttestationPolicy::trusted};

// A vendor: root CA, intermediate CA, and an attestation certificate for the soft key's model.
// Each vendor's CAs have names of their own, as real vendors' do.
struct Vendor {
  inline static int count = 0;
  std::string name = "Vendor " + std::to_string(++count);
  Issued root = issueCa(name + " Root");
  Issued intermediate = issueCa(name + " Intermediate", &root);
  Issued attestation;
  Vendor(const Aaguid& aaguid, bool viaIntermediate = false) {
    CertSpec spec;
    spec.aaguidExtension = aaguid;
    attestation = issue(spec, viaIntermediate ? &intermediate : &root);
  }
};

// A soft key's credential, whose statement the tests replace at will.
struct Registration {
  SoftAuthenticator key;
  Bytes challenge = challengeOf(0x60);
  MadeCredential made = makeCredential(key, challenge);
  RegistrationInput input = registrationInput(challenge, made);

  void usePackedX5c(EVP_PKEY* signer, const std::vector<Bytes>& x5c, int algorithm = kEs256) {
    input.fmt = "packed";
    input.attStmt = packedX5cStatement(signer, algorithm, made.authData, challenge, x5c);
  }
  void useFidoU2f(EVP_PKEY* signer, const std::vector<Bytes>& x5c) {
    const CoseKey credentialKey = parseCoseKey(coseKeyOf(made));
    REQUIRE(credentialKey.status == CoseKeyStatus::ok);
    const auto [x, y] = ecPoint(credentialKey.publicKey.get());
    input.fmt = "fido-u2f";
    input.attStmt = fidoU2fStatement(signer, challenge, made.credentialId, x, y, x5c);
  }
};

RegistrationResult registerUnder(AttestationPolicy policy, const RegistrationInput& input,
                                 const std::string& caBundlePem = "") {
  AttestationTrust trust;
  trust.policy = policy;
  trust.caBundlePem = caBundlePem;
  return verifyRegistration(input, trust);
}

std::string outcome(const RegistrationResult& result) {
  return result.credential ? toString(result.credential->attestation) : result.reason;
}

// libfido2's own verifier as a cross-check that the test-built statements are standard ones.
int libfido2Verify(const RegistrationInput& input) {
  std::unique_ptr<fido_cred_t, CredDeleter> cred(fido_cred_new());
  fido_cred_set_type(cred.get(), COSE_ES256);
  fido_cred_set_clientdata_hash(cred.get(), input.challenge.data(), input.challenge.size());
  fido_cred_set_rp(cred.get(), kRpId, nullptr);
  fido_cred_set_authdata_raw(cred.get(), input.authData.data(), input.authData.size());
  fido_cred_set_fmt(cred.get(), input.fmt.c_str());
  fido_cred_set_attstmt(cred.get(), input.attStmt.data(), input.attStmt.size());
  return fido_cred_x5c_ptr(cred.get()) != nullptr ? fido_cred_verify(cred.get())
                                                  : fido_cred_verify_self(cred.get());
}

}  // namespace

TEST_CASE("policy matrix: packed self attestation of the soft key") {
  Registration r;
  CHECK(r.input.fmt == "packed");
  CHECK(libfido2Verify(r.input) == FIDO_OK);
  CHECK(outcome(registerUnder(AttestationPolicy::none, r.input)) == "self");
  CHECK(outcome(registerUnder(AttestationPolicy::self, r.input)) == "self");
  Vendor vendor(r.key.aaguid());
  CHECK(outcome(registerUnder(AttestationPolicy::trusted, r.input, pem(vendor.root.cert.get()))) ==
        "attestation_not_trusted");
}

TEST_CASE("policy matrix: fmt none") {
  Registration r;
  r.input.fmt = "none";
  r.input.attStmt = MapBuilder().encoded();
  CHECK(outcome(registerUnder(AttestationPolicy::none, r.input)) == "none");
  CHECK(outcome(registerUnder(AttestationPolicy::self, r.input)) ==
        "attestation_format_not_allowed");
  CHECK(outcome(registerUnder(AttestationPolicy::trusted, r.input, "x")) ==
        "attestation_format_not_allowed");
  r.input.attStmt = MapBuilder().add("sig", bytesItem(Bytes{1})).encoded();
  CHECK(outcome(registerUnder(AttestationPolicy::none, r.input)) == "attestation_invalid");
}

TEST_CASE("policy matrix: packed with x5c") {
  Registration r;
  Vendor vendor(r.key.aaguid());
  r.usePackedX5c(vendor.attestation.key.get(), {der(vendor.attestation.cert.get())});
  CHECK(libfido2Verify(r.input) == FIDO_OK);
  const std::string rootPem = pem(vendor.root.cert.get());
  // Only a chain check makes it "basic"; without one the signature is all that was proved.
  CHECK(outcome(registerUnder(AttestationPolicy::none, r.input)) == "basic_unverified");
  CHECK(outcome(registerUnder(AttestationPolicy::self, r.input)) == "basic_unverified");
  CHECK(outcome(registerUnder(AttestationPolicy::trusted, r.input, rootPem)) == "basic");

  Vendor other(r.key.aaguid());
  CHECK(outcome(registerUnder(AttestationPolicy::trusted, r.input, pem(other.root.cert.get()))) ==
        "attestation_not_trusted");
  CHECK(outcome(registerUnder(AttestationPolicy::trusted, r.input, "")) ==
        "attestation_not_trusted");
  CHECK(outcome(registerUnder(AttestationPolicy::trusted, r.input,
                              pem(other.root.cert.get()) + rootPem)) == "basic");
}

TEST_CASE("policy matrix: fido-u2f") {
  Registration r;
  Vendor vendor(r.key.aaguid());
  r.useFidoU2f(vendor.attestation.key.get(), {der(vendor.attestation.cert.get())});
  CHECK(libfido2Verify(r.input) == FIDO_OK);
  for (AttestationPolicy policy : {AttestationPolicy::none, AttestationPolicy::self}) {
    CHECK(outcome(registerUnder(policy, r.input, pem(vendor.root.cert.get()))) ==
          "basic_unverified");
  }
  CHECK(outcome(registerUnder(AttestationPolicy::trusted, r.input, pem(vendor.root.cert.get()))) ==
        "basic");
  Vendor other(r.key.aaguid());
  CHECK(outcome(registerUnder(AttestationPolicy::trusted, r.input, pem(other.root.cert.get()))) ==
        "attestation_not_trusted");
}

TEST_CASE("trusted: intermediates come from x5c, any bundle certificate is an anchor") {
  Registration r;
  Vendor vendor(r.key.aaguid(), /*viaIntermediate=*/true);
  const Bytes leaf = der(vendor.attestation.cert.get());
  const std::string rootPem = pem(vendor.root.cert.get());
  r.usePackedX5c(vendor.attestation.key.get(), {leaf, der(vendor.intermediate.cert.get())});
  CHECK(outcome(registerUnder(AttestationPolicy::trusted, r.input, rootPem)) == "basic");
  CHECK(outcome(registerUnder(AttestationPolicy::trusted, r.input,
                              pem(vendor.intermediate.cert.get()))) == "basic");
  r.usePackedX5c(vendor.attestation.key.get(), {leaf});
  CHECK(outcome(registerUnder(AttestationPolicy::trusted, r.input, rootPem)) ==
        "attestation_not_trusted");
  CHECK(outcome(registerUnder(AttestationPolicy::self, r.input)) == "basic_unverified");
}

TEST_CASE("self policy: a certificate nobody issued is stored as basic_unverified, not basic") {
  Registration r;
  // Made up on the spot by whoever registers: self-signed, claims the model it likes.
  Issued madeUp = issueCa("Genuine Vendor Root");
  CertSpec spec;
  spec.aaguidExtension = r.key.aaguid();
  const Issued leaf = issue(spec, &madeUp);
  r.usePackedX5c(leaf.key.get(), {der(leaf.cert.get())});
  const RegistrationResult self = registerUnder(AttestationPolicy::self, r.input);
  REQUIRE(self.credential);
  CHECK(outcome(self) == "basic_unverified");
  r.useFidoU2f(leaf.key.get(), {der(leaf.cert.get())});
  const RegistrationResult u2f = registerUnder(AttestationPolicy::self, r.input);
  REQUIRE(u2f.credential);
  CHECK(outcome(u2f) == "basic_unverified");
  // Under trusted, the same certificate is refused; a vendor's is "basic".
  CHECK(outcome(registerUnder(AttestationPolicy::trusted, r.input,
                              pem(Vendor(r.key.aaguid()).root.cert.get()))) ==
        "attestation_not_trusted");
}

TEST_CASE("formats other than none, packed and fido-u2f are not allowed") {
  Registration r;
  for (const char* fmt : {"tpm", "android-key", "apple", "", "Packed"}) {
    r.input.fmt = fmt;
    for (AttestationPolicy policy : kAllPolicies) {
      CHECK(outcome(registerUnder(policy, r.input, "x")) == "attestation_format_not_allowed");
    }
  }
}

TEST_CASE("invalid packed statements") {
  Registration r;
  Vendor vendor(r.key.aaguid());
  const Bytes leaf = der(vendor.attestation.cert.get());
  const auto invalid = [&r] {
    return outcome(registerUnder(AttestationPolicy::self, r.input)) == "attestation_invalid";
  };
  SUBCASE("tampered self attestation from the soft key") {
    r.key.faults().tamperSignature = true;
    r.made = makeCredential(r.key, r.challenge);
    r.input = registrationInput(r.challenge, r.made);
    CHECK(invalid());
  }
  SUBCASE("signed over another client data hash") {
    r.input.attStmt = packedSelfStatement(vendor.attestation.key.get(), kEs256, r.made.authData,
                                          challengeOf(0x61));
    CHECK(invalid());
  }
  SUBCASE("x5c signed by a key other than the certificate's") {
    r.usePackedX5c(vendor.root.key.get(), {leaf});
    CHECK(invalid());
  }
  SUBCASE("alg not matching the certificate's key") {
    EvpPkeyPtr rsa = generateKey("RSA");
    r.usePackedX5c(rsa.get(), {leaf}, kRs256);
    CHECK(invalid());
  }
  SUBCASE("self attestation with another alg than the credential's") {
    r.input.attStmt =
        MapBuilder().add("alg", intItem(kRs256)).add("sig", bytesItem(Bytes(256, 1))).encoded();
    CHECK(invalid());
  }
  SUBCASE("ECDAA, unknown keys, missing sig, empty x5c, not a map, trailing bytes") {
    Bytes statement = r.made.attStmt;
    statement.push_back(0x00);
    for (const Bytes& attStmt : {MapBuilder()
                                     .add("alg", intItem(kEs256))
                                     .add("sig", bytesItem(Bytes{1}))
                                     .add("ecdaaKeyId", bytesItem(Bytes{1}))
                                     .encoded(),
                                 MapBuilder().add("alg", intItem(kEs256)).encoded(),
                                 MapBuilder()
                                     .add("alg", intItem(kEs256))
                                     .add("sig", bytesItem(Bytes{1}))
                                     .add("x5c", arrayOf({}))
                                     .encoded(),
                                 Bytes{0x80}, statement, Bytes{}}) {
      r.input.attStmt = attStmt;
      CHECK(invalid());
    }
  }
  SUBCASE("an x5c entry with bytes after the certificate") {
    r.usePackedX5c(vendor.attestation.key.get(), {concat(leaf, Bytes{0})});
    CHECK(invalid());
  }
}

TEST_CASE("packed certificate requirements and the AAGUID extension") {
  Registration r;
  Vendor vendor(r.key.aaguid());
  const auto withCert = [&](const CertSpec& spec) {
    const Issued cert = issue(spec, &vendor.root);
    r.usePackedX5c(cert.key.get(), {der(cert.cert.get())});
    return outcome(registerUnder(AttestationPolicy::trusted, r.input, pem(vendor.root.cert.get())));
  };
  CertSpec spec;
  CHECK(withCert(spec) == "basic");  // no AAGUID extension: fine
  spec.aaguidExtension = r.key.aaguid();
  CHECK(withCert(spec) == "basic");
  Aaguid other = r.key.aaguid();
  other[15] ^= 0x01;
  spec.aaguidExtension = other;
  CHECK(withCert(spec) == "attestation_invalid");
  spec.aaguidExtension = r.key.aaguid();
  spec.aaguidCritical = true;
  CHECK(withCert(spec) == "attestation_invalid");
  spec.aaguidCritical = false;
  spec.organizationalUnit = "Engineering";
  CHECK(withCert(spec) == "attestation_invalid");
  spec.organizationalUnit = "";
  CHECK(withCert(spec) == "attestation_invalid");
  spec.organizationalUnit = "Authenticator Attestation";
  spec.ca = true;
  CHECK(withCert(spec) == "attestation_invalid");
  spec.ca = false;
  spec.version = 0;  // X.509 v1
  CHECK(withCert(spec) == "attestation_invalid");
}

TEST_CASE("invalid fido-u2f statements") {
  Registration r;
  Vendor vendor(r.key.aaguid());
  const Bytes leaf = der(vendor.attestation.cert.get());
  const auto invalid = [&r] {
    return outcome(registerUnder(AttestationPolicy::none, r.input)) == "attestation_invalid";
  };
  SUBCASE("two certificates") {
    r.useFidoU2f(vendor.attestation.key.get(), {leaf, der(vendor.root.cert.get())});
    CHECK(invalid());
  }
  SUBCASE("signed by another key") {
    r.useFidoU2f(vendor.root.key.get(), {leaf});
    CHECK(invalid());
  }
  SUBCASE("an RSA certificate") {
    CertSpec spec;
    const Issued rsa = issue(spec, &vendor.root, "RSA");
    r.useFidoU2f(vendor.attestation.key.get(), {der(rsa.cert.get())});
    CHECK(invalid());
  }
  SUBCASE("an alg field (packed layout under the fido-u2f name)") {
    r.usePackedX5c(vendor.attestation.key.get(), {leaf});
    r.input.fmt = "fido-u2f";
    CHECK(invalid());
  }
  SUBCASE("an EdDSA credential") {
    EvpPkeyPtr credentialKey = generateKey("ED25519");
    const AttestedPart attested{r.key.aaguid(), Bytes(16, 3),
                                coseKeyFor(credentialKey.get(), kEdDsa)};
    r.input.authData = buildAuthData(kRpId, 0x41, 0, &attested);
    r.input.fmt = "fido-u2f";
    r.input.attStmt = fidoU2fStatement(vendor.attestation.key.get(), r.challenge,
                                       attested.credentialId, Bytes(32, 1), Bytes(32, 2), {leaf});
    CHECK(invalid());
  }
}

TEST_CASE("EdDSA and RS256 credentials with packed self attestation register") {
  for (const auto& [type, algorithm] : {std::pair{"ED25519", kEdDsa}, std::pair{"RSA", kRs256}}) {
    CAPTURE(algorithm);
    EvpPkeyPtr key = generateKey(type);
    const Bytes challenge = challengeOf(0x62);
    const AttestedPart attested{Aaguid{1, 2, 3}, Bytes(48, 9), coseKeyFor(key.get(), algorithm)};
    const Bytes authData = buildAuthData(kRpId, kFlagUserPresent | kFlagAttestedData, 0, &attested);
    RegistrationInput input = registrationInput(
        challenge,
        {"packed", authData, packedSelfStatement(key.get(), algorithm, authData, challenge),
         attested.credentialId});
    const RegistrationResult result = registerUnder(AttestationPolicy::self, input);
    REQUIRE(result.credential);
    CHECK(result.credential->algorithm == algorithm);
    CHECK(result.credential->coseKey == attested.coseKey);
    CHECK(std::string(toString(result.credential->attestation)) == "self");
    input.attStmt = packedSelfStatement(key.get(), algorithm, authData, challengeOf(0x63));
    CHECK(outcome(registerUnder(AttestationPolicy::self, input)) == "attestation_invalid");
  }
}

TEST_CASE("packed x5c with an RS256 attestation certificate") {
  Registration r;
  Vendor vendor(r.key.aaguid());
  CertSpec spec;
  const Issued rsa = issue(spec, &vendor.root, "RSA");
  r.usePackedX5c(rsa.key.get(), {der(rsa.cert.get())}, kRs256);
  CHECK(outcome(registerUnder(AttestationPolicy::trusted, r.input, pem(vendor.root.cert.get()))) ==
        "basic");
}
