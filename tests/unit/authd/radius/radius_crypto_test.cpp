#include "authd/radius/radius_crypto.h"

#include <doctest/doctest.h>

#include <string>

#include "radius_vectors.h"

using namespace authd::radius;
using namespace authd::radius::test;
using authd::Bytes;
using authd::SecretBytes;

namespace {

const ByteSpan kSecret = bytesOf(kRfcSecret);
const Authenticator kRfcAuthenticator = authenticatorFromHex(kRfc2865RequestAuthenticator);

std::string text(const SecretBytes& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

Authenticator authenticatorOf(const Bytes& packet) {
  Authenticator out{};
  std::copy(packet.begin() + 4, packet.begin() + 20, out.begin());
  return out;
}

// The RFC 2865 §7.1 request's attributes.
std::vector<RadiusAttribute> rfcRequestAttributes() {
  return parseRadiusPacket(fromHex(kRfc2865Request)).packet.attributes;
}

}  // namespace

TEST_CASE(
    "radius crypto: RFC 2865 §7.1: the User-Password decodes to arctangent and encodes back") {
  const Bytes cipher = fromHex(kRfc2865PasswordCipher);
  const std::optional<SecretBytes> password =
      decodeUserPassword(cipher, kSecret, kRfcAuthenticator);
  REQUIRE(password);
  CHECK(text(*password) == "arctangent");
  CHECK(encodeUserPassword(bytesOf("arctangent"), kSecret, kRfcAuthenticator) == cipher);
  // Another secret or authenticator gives another password (or none at all).
  const std::optional<SecretBytes> wrong =
      decodeUserPassword(cipher, bytesOf("xyzzy5462"), kRfcAuthenticator);
  CHECK((!wrong || text(*wrong) != "arctangent"));
}

TEST_CASE("radius crypto: RFC 2865 §7.1: the Access-Accept's Response Authenticator") {
  const Bytes accept = fromHex(kRfc2865Accept);
  const std::optional<Authenticator> computed =
      responseAuthenticator(accept, kRfcAuthenticator, kSecret);
  REQUIRE(computed);
  CHECK(*computed == authenticatorOf(accept));
  CHECK(verifyResponseAuthenticator(accept, kRfcAuthenticator, kSecret));
  CHECK_FALSE(verifyResponseAuthenticator(accept, kRfcAuthenticator, bytesOf("xyzzy5462")));
  CHECK_FALSE(verifyResponseAuthenticator(accept, Authenticator{}, kSecret));
  for (std::size_t i = 0; i < accept.size(); ++i) {
    CAPTURE(i);
    Bytes flipped = accept;
    flipped[i] ^= 0x01;
    CHECK_FALSE(verifyResponseAuthenticator(flipped, kRfcAuthenticator, kSecret));
  }
}

TEST_CASE(
    "radius crypto: RFC 5997 §6: Status-Server's Message-Authenticator, and the Accept's "
    "authenticator") {
  const Bytes status = fromHex(kRfc5997StatusServer);
  CHECK(requestMessageAuthenticator(status, kSecret) == MessageAuthenticatorState::kValid);
  CHECK(verifyRequestMessageAuthenticator(status, kSecret));
  CHECK(verifyStatusServer(status, kSecret));
  CHECK_FALSE(verifyStatusServer(status, bytesOf("xyzzy5462")));
  for (std::size_t i = 0; i < status.size(); ++i) {
    CAPTURE(i);
    Bytes flipped = status;
    flipped[i] ^= 0x80;
    CHECK_FALSE(verifyRequestMessageAuthenticator(flipped, kSecret));
  }
  // Our encoder makes the same request from its parts.
  CHECK(encodeRequest(code::kStatusServer, 0xda, authenticatorOf(status), {}, kSecret, false) ==
        status);
  CHECK(verifyResponseAuthenticator(fromHex(kRfc5997Accept), authenticatorOf(status), kSecret));
}

TEST_CASE(
    "radius crypto: Status-Server without a Message-Authenticator, or another code, is not "
    "accepted") {
  Bytes bare = fromHex(kRfc2865Request);
  bare[0] = code::kStatusServer;
  CHECK(requestMessageAuthenticator(bare, kSecret) == MessageAuthenticatorState::kAbsent);
  CHECK_FALSE(verifyStatusServer(bare, kSecret));
  const std::optional<Bytes> signedRequest =
      encodeRequest(code::kAccessRequest, 1, kRfcAuthenticator, {}, kSecret, true);
  REQUIRE(signedRequest);
  CHECK(verifyRequestMessageAuthenticator(*signedRequest, kSecret));
  CHECK_FALSE(verifyStatusServer(*signedRequest, kSecret));
}

TEST_CASE("radius crypto: a request's Message-Authenticator: absent, valid, invalid") {
  const Bytes unsigned_ = fromHex(kRfc2865Request);
  CHECK(requestMessageAuthenticator(unsigned_, kSecret) == MessageAuthenticatorState::kAbsent);
  CHECK_FALSE(verifyRequestMessageAuthenticator(unsigned_, kSecret));

  // The §7.1 request signed, Message-Authenticator first. Expected bytes made offline with
  // `openssl dgst -md5 -mac HMAC -macopt key:xyzzy5461` over the packet with the value zeroed.
  const Bytes expected = fromHex(
      "0100004a0f403f9473978057bd83d5cb98f4227a"
      "50128f16b45f90d3494989a4f14f4421c618"
      "01066e656d6f02120dbe708d93d413ce3196e43f782a0aee0406c0a80110050600000003");
  const std::optional<Bytes> signedRequest = encodeRequest(
      code::kAccessRequest, 0, kRfcAuthenticator, rfcRequestAttributes(), kSecret, true);
  REQUIRE(signedRequest);
  CHECK(*signedRequest == expected);
  CHECK(requestMessageAuthenticator(expected, kSecret) == MessageAuthenticatorState::kValid);
  CHECK(requestMessageAuthenticator(expected, bytesOf("other-secret")) ==
        MessageAuthenticatorState::kInvalid);
  CHECK(requestMessageAuthenticator(expected, {}) == MessageAuthenticatorState::kInvalid);
  Bytes tampered = expected;
  tampered.back() ^= 0x01;  // NAS-Port 3 -> 2
  CHECK(requestMessageAuthenticator(tampered, kSecret) == MessageAuthenticatorState::kInvalid);
}

TEST_CASE("radius crypto: a padded datagram verifies through ParsedPacket::wire") {
  Bytes padded = fromHex(kRfc5997StatusServer);
  padded.insert(padded.end(), 5, 0xee);
  const ParsedPacket parsed = parseRadiusPacket(padded);
  REQUIRE(parsed.ok());
  CHECK(parsed.padding == 5);
  CHECK(verifyStatusServer(parsed.wire, kSecret));
  CHECK_FALSE(verifyStatusServer(padded, kSecret));
}

TEST_CASE("radius crypto: authenticator checks refuse what is not exactly one well-formed packet") {
  const Bytes status = fromHex(kRfc5997StatusServer);
  Bytes padded = status;
  padded.push_back(0);  // the checks take ParsedPacket::wire, never the padded datagram
  CHECK(requestMessageAuthenticator(padded, kSecret) == MessageAuthenticatorState::kInvalid);
  const Bytes cut(status.begin(), status.end() - 1);
  CHECK(requestMessageAuthenticator(cut, kSecret) == MessageAuthenticatorState::kInvalid);
  CHECK(requestMessageAuthenticator(Bytes{}, kSecret) == MessageAuthenticatorState::kInvalid);
  CHECK_FALSE(verifyResponseAuthenticator(Bytes(10, 0), kRfcAuthenticator, kSecret));
  CHECK_FALSE(verifyAccountingRequest(Bytes{}, kSecret));
  CHECK_FALSE(verifyStatusServer(Bytes{}, kSecret));
  CHECK_FALSE(responseAuthenticator(fromHex(kRfc2865Accept), kRfcAuthenticator, {}));
}

TEST_CASE(
    "radius crypto: a reply carries Message-Authenticator first, then its attributes, both "
    "authenticators") {
  // Access-Accept to the §7.1 request with Reply-Message "ok". Expected bytes made offline:
  // MA = `openssl dgst -md5 -mac HMAC -macopt key:xyzzy5461` over the reply with the Request
  // Authenticator and a zeroed MA; then Response Authenticator = `openssl dgst -md5` over the
  // reply (Request Authenticator in place, MA filled) followed by the secret.
  const Bytes expected = fromHex(
      "0200002a85ce184242a7142c3ee5e5670a8a2ed7"
      "50123e9deff9b1d44caf7f02a00a827f4218"
      "12046f6b");
  const std::optional<Bytes> reply = encodeReply(code::kAccessAccept, 0, kRfcAuthenticator,
                                                 {{attr::kReplyMessage, textBytes("ok")}}, kSecret);
  REQUIRE(reply);
  CHECK(*reply == expected);
  const ParsedPacket parsed = parseRadiusPacket(*reply);
  REQUIRE(parsed.ok());
  REQUIRE(parsed.packet.attributes.size() == 2);
  CHECK(parsed.packet.attributes[0].type == attr::kMessageAuthenticator);
  CHECK(verifyResponseAuthenticator(*reply, kRfcAuthenticator, kSecret));
  CHECK(replyMessageAuthenticator(*reply, kRfcAuthenticator, kSecret) ==
        MessageAuthenticatorState::kValid);
  CHECK(replyMessageAuthenticator(*reply, Authenticator{}, kSecret) ==
        MessageAuthenticatorState::kInvalid);
}

TEST_CASE(
    "radius crypto: every reply code gets Message-Authenticator first, even with no attributes") {
  for (std::uint8_t replyCode : {code::kAccessAccept, code::kAccessReject, code::kAccessChallenge,
                                 code::kAccountingResponse}) {
    CAPTURE(int(replyCode));
    const std::optional<Bytes> reply = encodeReply(
        replyCode, 0x42, kRfcAuthenticator,
        {{attr::kState, Bytes(16, 0x99)}, {attr::kProxyState, textBytes("p")}}, kSecret);
    REQUIRE(reply);
    const ParsedPacket parsed = parseRadiusPacket(*reply);
    REQUIRE(parsed.ok());
    CHECK(parsed.packet.code == replyCode);
    CHECK(parsed.packet.identifier == 0x42);
    REQUIRE(parsed.packet.attributes.size() == 3);
    CHECK(parsed.packet.attributes[0].type == attr::kMessageAuthenticator);
    CHECK(parsed.packet.attributes[1].type == attr::kState);
    CHECK(parsed.packet.attributes[2].type == attr::kProxyState);
    CHECK(verifyResponseAuthenticator(*reply, kRfcAuthenticator, kSecret));
    CHECK(replyMessageAuthenticator(*reply, kRfcAuthenticator, kSecret) ==
          MessageAuthenticatorState::kValid);
  }
  const std::optional<Bytes> bare =
      encodeReply(code::kAccessReject, 0, kRfcAuthenticator, {}, kSecret);
  REQUIRE(bare);
  CHECK(bare->size() == kHeaderSize + 18);
  CHECK((*bare)[kHeaderSize] == attr::kMessageAuthenticator);
}

TEST_CASE(
    "radius crypto: encodeReply refuses request codes, a second Message-Authenticator, no secret, "
    "size") {
  for (std::uint8_t notReply : {code::kAccessRequest, code::kAccountingRequest, code::kStatusServer,
                                std::uint8_t{0}, std::uint8_t{255}}) {
    CAPTURE(int(notReply));
    CHECK_FALSE(encodeReply(notReply, 0, kRfcAuthenticator, {}, kSecret));
  }
  CHECK_FALSE(encodeReply(code::kAccessAccept, 0, kRfcAuthenticator,
                          {{attr::kMessageAuthenticator, Bytes(16)}}, kSecret));
  CHECK_FALSE(encodeReply(code::kAccessAccept, 0, kRfcAuthenticator, {}, {}));
  CHECK_FALSE(encodeReply(code::kAccessAccept, 0, kRfcAuthenticator,
                          {{attr::kReplyMessage, Bytes(254, 'x')}}, kSecret));
  // 20 + 18 (MA) + 15 * 255 = 3863; one more full attribute passes 4096.
  std::vector<RadiusAttribute> many(16, {attr::kClass, Bytes(253, 'c')});
  CHECK_FALSE(encodeReply(code::kAccessAccept, 0, kRfcAuthenticator, many, kSecret));
  many.pop_back();
  CHECK(encodeReply(code::kAccessAccept, 0, kRfcAuthenticator, many, kSecret));
}

TEST_CASE("radius crypto: Accounting-Request: the RFC 2866 authenticator over zeroes") {
  // Accounting-Request id 4, User-Name "nemo", Acct-Status-Type Start, Acct-Session-Id "20024";
  // its authenticator checked offline: `openssl dgst -md5` over the packet with 16 zero octets in
  // the authenticator field, followed by the secret.
  const Bytes accounting =
      fromHex("0404002711019c27d4e00cbc523b3e2fc834baf401066e656d6f2806000000012c073230303234");
  CHECK(verifyAccountingRequest(accounting, kSecret));
  CHECK_FALSE(verifyAccountingRequest(accounting, bytesOf("xyzzy5462")));
  for (std::size_t i = 0; i < accounting.size(); ++i) {
    CAPTURE(i);
    Bytes flipped = accounting;
    flipped[i] ^= 0x04;
    CHECK_FALSE(verifyAccountingRequest(flipped, kSecret));
  }
  const std::vector<RadiusAttribute> attributes = parseRadiusPacket(accounting).packet.attributes;
  CHECK(encodeAccountingRequest(4, attributes, kSecret) == accounting);
  // The same bytes as an Access-Request are not an Accounting-Request.
  Bytes access = accounting;
  access[0] = code::kAccessRequest;
  CHECK_FALSE(verifyAccountingRequest(access, kSecret));
}

TEST_CASE("radius crypto: Accounting-Request with a Message-Authenticator must have a valid one") {
  // A valid accounting authenticator over a packet whose MA is wrong: built by hand, since
  // the authenticator covers the MA's value.
  std::vector<RadiusAttribute> attributes = {{attr::kMessageAuthenticator, Bytes(16, 0x33)},
                                             {attr::kAcctStatusType, fromHex("00000001")}};
  const std::optional<Bytes> badMa = encodeAccountingRequest(9, attributes, kSecret);
  CHECK_FALSE(badMa);  // encoders never take a caller's MA
  RadiusPacket packet{code::kAccountingRequest, 9, {}, attributes};
  Bytes raw = *serializeRadiusPacket(packet);
  // RFC 2866's authenticator is the response formula with zeroes for the request's.
  const std::optional<Authenticator> requestAuth = responseAuthenticator(raw, {}, kSecret);
  REQUIRE(requestAuth);
  std::copy(requestAuth->begin(), requestAuth->end(), raw.begin() + 4);
  CHECK(requestMessageAuthenticator(raw, kSecret) == MessageAuthenticatorState::kInvalid);
  CHECK_FALSE(verifyAccountingRequest(raw, kSecret));
}

TEST_CASE("radius crypto: User-Password round trips every length from 1 to 128 octets") {
  for (std::size_t length = 1; length <= kMaxUserPasswordSize; ++length) {
    CAPTURE(length);
    Bytes password(length);
    for (std::size_t i = 0; i < length; ++i) password[i] = static_cast<unsigned char>(1 + i % 250);
    const std::optional<Bytes> cipher = encodeUserPassword(password, kSecret, kRfcAuthenticator);
    REQUIRE(cipher);
    CHECK(cipher->size() == (length + 15) / 16 * 16);
    const std::optional<SecretBytes> plain =
        decodeUserPassword(*cipher, kSecret, kRfcAuthenticator);
    REQUIRE(plain);
    CHECK(Bytes(plain->data(), plain->data() + plain->size()) == password);
  }
}

TEST_CASE(
    "radius crypto: User-Password refusals: lengths, empty secret, empty password, inner NUL") {
  const Bytes cipher = fromHex(kRfc2865PasswordCipher);
  CHECK_FALSE(decodeUserPassword(Bytes{}, kSecret, kRfcAuthenticator));
  for (std::size_t length : {1, 15, 17, 31, 127, 129}) {
    CAPTURE(length);
    CHECK_FALSE(decodeUserPassword(Bytes(length, 0x41), kSecret, kRfcAuthenticator));
  }
  CHECK_FALSE(decodeUserPassword(Bytes(144, 0x41), kSecret, kRfcAuthenticator));
  CHECK_FALSE(decodeUserPassword(cipher, {}, kRfcAuthenticator));

  // All padding, and a NUL inside the password: refused. Trailing NULs are padding.
  const Bytes onlyNul = *encodeUserPassword(Bytes{0}, kSecret, kRfcAuthenticator);
  CHECK_FALSE(decodeUserPassword(onlyNul, kSecret, kRfcAuthenticator));
  const Bytes inner =
      *encodeUserPassword(textBytes(std::string("ab\0cd", 5)), kSecret, kRfcAuthenticator);
  CHECK_FALSE(decodeUserPassword(inner, kSecret, kRfcAuthenticator));
  const Bytes trailing =
      *encodeUserPassword(textBytes(std::string("abcd\0\0", 6)), kSecret, kRfcAuthenticator);
  const std::optional<SecretBytes> stripped =
      decodeUserPassword(trailing, kSecret, kRfcAuthenticator);
  REQUIRE(stripped);
  CHECK(text(*stripped) == "abcd");

  CHECK_FALSE(encodeUserPassword(Bytes{}, kSecret, kRfcAuthenticator));
  CHECK_FALSE(encodeUserPassword(Bytes(129, 'a'), kSecret, kRfcAuthenticator));
  CHECK_FALSE(encodeUserPassword(textBytes("pw"), {}, kRfcAuthenticator));
  CHECK(encodeUserPassword(Bytes(128, 'a'), kSecret, kRfcAuthenticator)->size() == 128);
}

TEST_CASE("radius crypto: request encoders refuse what they do not make") {
  CHECK_FALSE(encodeRequest(code::kAccessAccept, 0, kRfcAuthenticator, {}, kSecret, true));
  CHECK_FALSE(encodeRequest(code::kAccountingRequest, 0, kRfcAuthenticator, {}, kSecret, true));
  CHECK_FALSE(encodeRequest(code::kAccessRequest, 0, kRfcAuthenticator, {}, {}, false));
  CHECK_FALSE(encodeAccountingRequest(0, {}, {}));
  // Unsigned, an Access-Request is just the serialized packet.
  CHECK(encodeRequest(code::kAccessRequest, 0, kRfcAuthenticator, rfcRequestAttributes(), kSecret,
                      false) == fromHex(kRfc2865Request));
}
