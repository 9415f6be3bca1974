#include "authd/fido2/client_data.h"

#include <doctest/doctest.h>

#include "rp_test_support.h"

using namespace authd::fido2;
using namespace authd::fido2::test;

namespace {

const std::vector<std::string> kOrigins = {kOrigin, "https://login.example.org"};

ClientData hashForm(const Bytes& hash) {
  ClientData data;
  data.hash = hash;
  return data;
}

ClientData jsonForm(std::string json) {
  ClientData data;
  data.json = std::move(json);
  return data;
}

std::string clientDataJson(const std::string& type, const Bytes& challenge,
                           const std::string& origin, const std::string& extra = "") {
  return R"({"type":")" + type + R"(","challenge":")" + authd::base64urlEncode(challenge) +
         R"(","origin":")" + origin + "\"" + extra + "}";
}

std::optional<ClientDataHash> checkGet(const ClientData& data, const Bytes& challenge) {
  return checkClientData(data, challenge, kOrigins, Ceremony::authentication);
}

}  // namespace

TEST_CASE("CTAP form: the client data hash is the challenge itself") {
  const Bytes challenge = challengeOf(0x41);
  const auto hash = checkGet(hashForm(challenge), challenge);
  REQUIRE(hash);
  CHECK(Bytes(hash->begin(), hash->end()) == challenge);
  Bytes other = challenge;
  other[31] ^= 0x80;
  CHECK_FALSE(checkGet(hashForm(other), challenge));
  CHECK_FALSE(checkGet(hashForm(Bytes(challenge.begin(), challenge.end() - 1)), challenge));
  CHECK_FALSE(checkGet(hashForm(concat(challenge, Bytes{0})), challenge));
}

TEST_CASE("exactly one form, and a 32-byte challenge, are required") {
  const Bytes challenge = challengeOf(0x42);
  CHECK_FALSE(checkGet(ClientData{}, challenge));
  ClientData both = hashForm(challenge);
  both.json = clientDataJson("webauthn.get", challenge, kOrigin);
  CHECK_FALSE(checkGet(both, challenge));
  CHECK_FALSE(checkGet(hashForm({}), Bytes{}));
  const Bytes shortChallenge(16, 0x42);
  CHECK_FALSE(checkGet(hashForm(shortChallenge), shortChallenge));
}

TEST_CASE("WebAuthn form: type, challenge, origin and crossOrigin are checked") {
  const Bytes challenge = challengeOf(0x43);
  const std::string good = clientDataJson("webauthn.get", challenge, kOrigin);
  const auto hash = checkGet(jsonForm(good), challenge);
  REQUIRE(hash);
  CHECK(Bytes(hash->begin(), hash->end()) == sha256(good));
  CHECK(checkGet(jsonForm(clientDataJson("webauthn.get", challenge, "https://login.example.org",
                                         R"(,"crossOrigin":false,"other":{"a":1})")),
                 challenge));
  CHECK(checkClientData(jsonForm(clientDataJson("webauthn.create", challenge, kOrigin)), challenge,
                        kOrigins, Ceremony::registration));

  Bytes otherChallenge = challenge;
  otherChallenge[0] ^= 0x01;
  const std::vector<std::string> refused = {
      clientDataJson("webauthn.create", challenge, kOrigin),
      clientDataJson("webauthn.get", otherChallenge, kOrigin),
      clientDataJson("webauthn.get", challenge, "https://evil.example"),
      clientDataJson("webauthn.get", challenge, "https://mfa.example.org:8443"),
      clientDataJson("webauthn.get", challenge, kOrigin, R"(,"crossOrigin":true)"),
      clientDataJson("webauthn.get", challenge, kOrigin, R"(,"crossOrigin":"false")"),
      clientDataJson("webauthn.get", challenge, kOrigin, R"(,"type":"webauthn.get")"),
      clientDataJson("webauthn.get", challenge, kOrigin, R"(,"x":{"k":1,"k":2})"),
      R"({"type":"webauthn.get","origin":")" + std::string(kOrigin) + "\"}",
      R"({"type":"webauthn.get","challenge":")" + authd::base64urlEncode(challenge) + "\"}",
      R"({"type":"webauthn.get","challenge":")" + authd::base64urlEncode(challenge) +
          R"(=","origin":")" + kOrigin + "\"}",
      R"({"type":7,"challenge":")" + authd::base64urlEncode(challenge) + R"(","origin":")" +
          kOrigin + "\"}",
      "[" + good + "]",
      good + "x",
      good.substr(0, good.size() - 1),
      "",
  };
  for (const std::string& json : refused) {
    CAPTURE(json);
    CHECK_FALSE(checkGet(jsonForm(json), challenge));
  }
}

TEST_CASE("WebAuthn form: no origin is allowed unless configured, and the size is limited") {
  const Bytes challenge = challengeOf(0x44);
  const std::string json = clientDataJson("webauthn.get", challenge, kOrigin);
  CHECK_FALSE(checkClientData(jsonForm(json), challenge, {}, Ceremony::authentication));
  const std::string pad(kMaxClientDataJsonSize - json.size() - 9, 'p');  // ,"pad":"…"
  const std::string padded =
      clientDataJson("webauthn.get", challenge, kOrigin, R"(,"pad":")" + pad + "\"");
  REQUIRE(padded.size() == kMaxClientDataJsonSize);
  CHECK(checkGet(jsonForm(padded), challenge));
  CHECK_FALSE(checkGet(jsonForm(padded.substr(0, padded.size() - 1) + " }"), challenge));
}

TEST_CASE("WebAuthn form: invalid UTF-8 is refused") {
  const Bytes challenge = challengeOf(0x45);
  CHECK_FALSE(checkGet(
      jsonForm(clientDataJson("webauthn.get", challenge, kOrigin, ",\"name\":\"\xff\xfe\"")),
      challenge));
}
