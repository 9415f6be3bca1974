// makeCredential algorithm negotiation and the artefacts of each algorithm, through libfido2.
#include <doctest/doctest.h>

#include "fido2/ctap2_dispatcher.h"
#include "fido2/ctap_status.h"
#include "fido2/soft_authenticator.h"
#include "fido2/virtual_device.h"
#include "fido2_test_util.h"

using namespace authd::testing;

namespace {

// A raw makeCredential request offering `algorithms` in this order.
Bytes makeCredentialRequest(std::initializer_list<std::pair<int64_t, const char*>> algorithms) {
  CborArrayBuilder params;
  for (const auto& [alg, type] : algorithms) {
    params.add(CanonicalMap().add("alg", cborInt(alg)).add("type", cborText(type)).build());
  }
  CborPtr request = CanonicalMap()
                        .add(1, cborBytes(clientDataHash(1)))
                        .add(2, CanonicalMap().add("id", cborText(kRp)).build())
                        .add(3, CanonicalMap().add("id", cborBytes(toBytes("user"))).build())
                        .add(4, params.build())
                        .build();
  Bytes out{ctap::kMakeCredential};
  const Bytes body = encodeCbor(request.get());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

}  // namespace

TEST_CASE("each algorithm makes a credential and assertions that libfido2 verifies") {
  for (int type : {COSE_ES256, COSE_EDDSA, COSE_RS256}) {
    CAPTURE(type);
    SoftAuthenticator key;
    FidoDevicePtr dev = openSoftDevice(key.path());
    REQUIRE(dev);
    const Bytes cdh = clientDataHash(0x41);
    CredPtr cred = credRequestFor(type, cdh);
    REQUIRE(fido_dev_make_cred(dev.get(), cred.get(), nullptr) == FIDO_OK);
    CHECK(std::string(fido_cred_fmt(cred.get())) == "packed");
    CHECK(key.credentialAlgorithms() == std::vector<int64_t>{type});
    CHECK(verifyCredentialAs(cred.get(), cdh) == FIDO_OK);
    CHECK(verifyCredentialAs(cred.get(), clientDataHash(0x42)) != FIDO_OK);

    AssertPtr got = assertRequest(cdh, cred.get());
    REQUIRE(fido_dev_get_assert(dev.get(), got.get(), nullptr) == FIDO_OK);
    CHECK(verifyAssertionAs(got.get(), cdh, cred.get()) == FIDO_OK);
    CHECK(verifyAssertionAs(got.get(), clientDataHash(0x43), cred.get()) == FIDO_ERR_INVALID_SIG);

    key.faults().tamperSignature = true;
    got = assertRequest(cdh, cred.get());
    REQUIRE(fido_dev_get_assert(dev.get(), got.get(), nullptr) == FIDO_OK);
    CHECK(verifyAssertionAs(got.get(), cdh, cred.get()) == FIDO_ERR_INVALID_SIG);
  }
}

TEST_CASE("an algorithm the key does not accept gives UNSUPPORTED_ALGORITHM") {
  SoftAuthenticatorConfig config;
  config.algorithms = {kCoseEs256};
  SoftAuthenticator key(config);
  FidoDevicePtr dev = openSoftDevice(key.path());
  CredPtr cred = credRequestFor(COSE_EDDSA, clientDataHash(1));
  CHECK(fido_dev_make_cred(dev.get(), cred.get(), nullptr) == FIDO_ERR_UNSUPPORTED_ALGORITHM);
  CHECK(key.credentialCount() == 0);
  // getInfo lists what the key accepts.
  CborInfoPtr info(fido_cbor_info_new());
  REQUIRE(fido_dev_get_cbor_info(dev.get(), info.get()) == FIDO_OK);
  REQUIRE(fido_cbor_info_algorithm_count(info.get()) == 1);
  CHECK(fido_cbor_info_algorithm_cose(info.get(), 0) == COSE_ES256);
}

TEST_CASE("the first acceptable entry of pubKeyCredParams wins; others are skipped") {
  SoftAuthenticator key;
  CHECK(key.handleCbor(makeCredentialRequest(
            {{-35, "public-key"}, {kCoseEdDsa, "public-key"}, {kCoseEs256, "public-key"}}))[0] ==
        ctap::kOk);
  CHECK(key.handleCbor(makeCredentialRequest(
            {{kCoseRs256, "other"}, {kCoseEs256, "public-key"}}))[0] == ctap::kOk);
  CHECK(key.credentialAlgorithms() == std::vector<int64_t>{kCoseEdDsa, kCoseEs256});
  CHECK(key.handleCbor(makeCredentialRequest({{-35, "public-key"}, {kCoseEs256, "other"}})) ==
        Bytes{ctap::kUnsupportedAlgorithm});
  CHECK(key.handleCbor(makeCredentialRequest({})) == Bytes{ctap::kUnsupportedAlgorithm});
  CHECK(key.credentialCount() == 2);
}

TEST_CASE("malformed pubKeyCredParams entries are rejected") {
  SoftAuthenticator key;
  // pubKeyCredParams [0]: an entry that is not a map.
  CborPtr request = CanonicalMap()
                        .add(1, cborBytes(clientDataHash(1)))
                        .add(2, CanonicalMap().add("id", cborText(kRp)).build())
                        .add(3, CanonicalMap().add("id", cborBytes(toBytes("u"))).build())
                        .add(4, CborArrayBuilder().add(cborInt(0)).build())
                        .build();
  Bytes raw{ctap::kMakeCredential};
  const Bytes body = encodeCbor(request.get());
  raw.insert(raw.end(), body.begin(), body.end());
  CHECK(key.handleCbor(raw) == Bytes{ctap::kCborUnexpectedType});
  CborPtr noType = CanonicalMap()
                       .add(1, cborBytes(clientDataHash(1)))
                       .add(2, CanonicalMap().add("id", cborText(kRp)).build())
                       .add(3, CanonicalMap().add("id", cborBytes(toBytes("u"))).build())
                       .add(4, CborArrayBuilder()
                                   .add(CanonicalMap().add("alg", cborInt(kCoseEs256)).build())
                                   .build())
                       .build();
  raw = Bytes{ctap::kMakeCredential};
  const Bytes body2 = encodeCbor(noType.get());
  raw.insert(raw.end(), body2.begin(), body2.end());
  CHECK(key.handleCbor(raw) == Bytes{ctap::kMissingParameter});
  CHECK(key.credentialCount() == 0);
}
