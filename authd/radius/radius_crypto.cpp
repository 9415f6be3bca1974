#include "authd/radius/radius_crypto.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstring>
#include <initializer_list>
#include <memory>

#include "authd/fido2/openssl_ptr.h"

namespace authd::radius {
namespace {

constexpr std::size_t kBlockSize = 16;  // MD5 output, User-Password block, authenticator
constexpr Authenticator kZeroes{};

struct MacCtxFree {
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;

// Fetched once: OpenSSL 3 otherwise looks the implementation up again on every call.
const EVP_MD* md5Algorithm() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "MD5", nullptr);
  return md;
}
EVP_MAC* hmacAlgorithm() {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

// MD5 of the parts in order into `out` (16 octets); false only when OpenSSL fails.
bool md5(std::initializer_list<ByteSpan> parts, unsigned char* out) {
  fido2::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || md5Algorithm() == nullptr ||
      EVP_DigestInit_ex(ctx.get(), md5Algorithm(), nullptr) != 1) {
    return false;
  }
  for (ByteSpan part : parts) {
    if (EVP_DigestUpdate(ctx.get(), part.data(), part.size()) != 1) return false;
  }
  unsigned int length = 0;
  return EVP_DigestFinal_ex(ctx.get(), out, &length) == 1 && length == kBlockSize;
}

// HMAC-MD5(key, parts in order) into `out`.
bool hmacMd5(ByteSpan key, std::initializer_list<ByteSpan> parts, Authenticator* out) {
  if (hmacAlgorithm() == nullptr) return false;
  MacCtxPtr ctx(EVP_MAC_CTX_new(hmacAlgorithm()));
  char digest[] = "MD5";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
  if (!ctx || EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1) return false;
  for (ByteSpan part : parts) {
    if (EVP_MAC_update(ctx.get(), part.data(), part.size()) != 1) return false;
  }
  std::size_t length = 0;
  return EVP_MAC_final(ctx.get(), out->data(), &length, out->size()) == 1 && length == out->size();
}

bool equalConstantTime(ByteSpan a, ByteSpan b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// The shape of `wire` when it is exactly one well-formed packet (its Length is its size).
std::optional<PacketShape> exactPacket(ByteSpan wire) {
  const PacketShape shape = scanRadiusPacket(wire);
  if (shape.refusal != PacketRefusal::kNone || shape.length != wire.size()) return std::nullopt;
  return shape;
}

// HMAC-MD5 over `wire` with `authenticator` in the authenticator field and the value at
// `maOffset` zeroed, compared with that value.
bool messageAuthenticatorMatches(ByteSpan wire, std::size_t maOffset,
                                 const Authenticator& authenticator, ByteSpan secret) {
  Authenticator expected{};
  const std::size_t afterMa = maOffset + kMessageAuthenticatorSize;
  return hmacMd5(
             secret,
             {wire.first(kAuthenticatorOffset), authenticator,
              wire.subspan(kHeaderSize, maOffset - kHeaderSize), kZeroes, wire.subspan(afterMa)},
             &expected) &&
         equalConstantTime(expected, wire.subspan(maOffset, kMessageAuthenticatorSize));
}

MessageAuthenticatorState checkMessageAuthenticator(ByteSpan wire,
                                                    const Authenticator& authenticator,
                                                    ByteSpan secret) {
  const std::optional<PacketShape> shape = exactPacket(wire);
  if (!shape || secret.empty()) return MessageAuthenticatorState::kInvalid;
  if (shape->messageAuthenticatorOffset == 0) return MessageAuthenticatorState::kAbsent;
  return messageAuthenticatorMatches(wire, shape->messageAuthenticatorOffset, authenticator, secret)
             ? MessageAuthenticatorState::kValid
             : MessageAuthenticatorState::kInvalid;
}

Authenticator authenticatorField(ByteSpan wire) {
  Authenticator field{};
  std::memcpy(field.data(), wire.data() + kAuthenticatorOffset, field.size());
  return field;
}

// MD5(Code ‖ ID ‖ Length ‖ `authenticator` ‖ Attributes ‖ Secret): the Response Authenticator
// with the Request Authenticator, the Accounting-Request Authenticator with zeroes.
std::optional<Authenticator> md5Authenticator(ByteSpan wire, const Authenticator& authenticator,
                                              ByteSpan secret) {
  Authenticator out{};
  if (secret.empty() || !exactPacket(wire) ||
      !md5({wire.first(kAuthenticatorOffset), authenticator, wire.subspan(kHeaderSize), secret},
           out.data())) {
    return std::nullopt;
  }
  return out;
}

// The packet with a zeroed Message-Authenticator first when asked; nullopt as
// serializeRadiusPacket, or when the caller put one in `attributes`.
std::optional<Bytes> serializeWithPlaceholder(std::uint8_t code, std::uint8_t identifier,
                                              const Authenticator& authenticator,
                                              const std::vector<RadiusAttribute>& attributes,
                                              bool withMessageAuthenticator) {
  RadiusPacket packet{code, identifier, authenticator, {}};
  if (withMessageAuthenticator) {
    packet.attributes.push_back({attr::kMessageAuthenticator, Bytes(kMessageAuthenticatorSize)});
  }
  for (const RadiusAttribute& attribute : attributes) {
    if (attribute.type == attr::kMessageAuthenticator) return std::nullopt;
    packet.attributes.push_back(attribute);
  }
  return serializeRadiusPacket(packet);
}

// Fills the placeholder serializeWithPlaceholder put first, over the packet as it stands.
bool signFirstAttribute(Bytes& packet, ByteSpan secret) {
  constexpr std::size_t kOffset = kHeaderSize + kAttributeHeaderSize;
  Authenticator mac{};
  if (!hmacMd5(secret, {packet}, &mac)) return false;
  std::memcpy(packet.data() + kOffset, mac.data(), mac.size());
  return true;
}

bool isReplyCode(std::uint8_t code) {
  return code == code::kAccessAccept || code == code::kAccessReject ||
         code == code::kAccessChallenge || code == code::kAccountingResponse;
}

}  // namespace

MessageAuthenticatorState requestMessageAuthenticator(ByteSpan wire, ByteSpan secret) {
  if (wire.size() < kHeaderSize) return MessageAuthenticatorState::kInvalid;
  return checkMessageAuthenticator(wire, authenticatorField(wire), secret);
}

bool verifyRequestMessageAuthenticator(ByteSpan wire, ByteSpan secret) {
  return requestMessageAuthenticator(wire, secret) == MessageAuthenticatorState::kValid;
}

MessageAuthenticatorState replyMessageAuthenticator(ByteSpan wire,
                                                    const Authenticator& requestAuthenticator,
                                                    ByteSpan secret) {
  return checkMessageAuthenticator(wire, requestAuthenticator, secret);
}

std::optional<Authenticator> responseAuthenticator(ByteSpan wire,
                                                   const Authenticator& requestAuthenticator,
                                                   ByteSpan secret) {
  return md5Authenticator(wire, requestAuthenticator, secret);
}

bool verifyResponseAuthenticator(ByteSpan wire, const Authenticator& requestAuthenticator,
                                 ByteSpan secret) {
  const std::optional<Authenticator> expected =
      md5Authenticator(wire, requestAuthenticator, secret);
  return expected && equalConstantTime(*expected, wire.subspan(kAuthenticatorOffset, 16));
}

bool verifyAccountingRequest(ByteSpan wire, ByteSpan secret) {
  const std::optional<Authenticator> expected = md5Authenticator(wire, kZeroes, secret);
  if (!expected || wire[0] != code::kAccountingRequest ||
      !equalConstantTime(*expected, wire.subspan(kAuthenticatorOffset, 16))) {
    return false;
  }
  return requestMessageAuthenticator(wire, secret) != MessageAuthenticatorState::kInvalid;
}

bool verifyStatusServer(ByteSpan wire, ByteSpan secret) {
  return !wire.empty() && wire[0] == code::kStatusServer &&
         verifyRequestMessageAuthenticator(wire, secret);
}

std::optional<Bytes> encodeReply(std::uint8_t code, std::uint8_t identifier,
                                 const Authenticator& requestAuthenticator,
                                 const std::vector<RadiusAttribute>& attributes, ByteSpan secret,
                                 std::uint8_t requestCode) {
  if (!isReplyCode(code) || secret.empty()) return std::nullopt;
  // An Accounting-Response to an Accounting-Request signs over 16 zero octets, as that request
  // does (what FreeRADIUS and radclient check); every other reply over the request's vector.
  const bool zeroVector =
      code == code::kAccountingResponse && requestCode == code::kAccountingRequest;
  std::optional<Bytes> packet = serializeWithPlaceholder(
      code, identifier, zeroVector ? kZeroes : requestAuthenticator, attributes, true);
  if (!packet || !signFirstAttribute(*packet, secret)) return std::nullopt;
  const std::optional<Authenticator> response =
      md5Authenticator(*packet, requestAuthenticator, secret);
  if (!response) return std::nullopt;
  std::memcpy(packet->data() + kAuthenticatorOffset, response->data(), response->size());
  return packet;
}

std::optional<Bytes> encodeRequest(std::uint8_t code, std::uint8_t identifier,
                                   const Authenticator& requestAuthenticator,
                                   const std::vector<RadiusAttribute>& attributes, ByteSpan secret,
                                   bool withMessageAuthenticator) {
  if ((code != code::kAccessRequest && code != code::kStatusServer) || secret.empty()) {
    return std::nullopt;
  }
  const bool sign = withMessageAuthenticator || code == code::kStatusServer;
  std::optional<Bytes> packet =
      serializeWithPlaceholder(code, identifier, requestAuthenticator, attributes, sign);
  if (!packet || (sign && !signFirstAttribute(*packet, secret))) return std::nullopt;
  return packet;
}

std::optional<Bytes> encodeAccountingRequest(std::uint8_t identifier,
                                             const std::vector<RadiusAttribute>& attributes,
                                             ByteSpan secret) {
  if (secret.empty()) return std::nullopt;
  std::optional<Bytes> packet =
      serializeWithPlaceholder(code::kAccountingRequest, identifier, kZeroes, attributes, false);
  if (!packet) return std::nullopt;
  const std::optional<Authenticator> request = md5Authenticator(*packet, kZeroes, secret);
  if (!request) return std::nullopt;
  std::memcpy(packet->data() + kAuthenticatorOffset, request->data(), request->size());
  return packet;
}

std::optional<SecretBytes> decodeUserPassword(ByteSpan cipher, ByteSpan secret,
                                              const Authenticator& requestAuthenticator) {
  if (secret.empty() || cipher.empty() || cipher.size() % kBlockSize != 0 ||
      cipher.size() > kMaxUserPasswordSize) {
    return std::nullopt;
  }
  SecretBytes plain(cipher.size());
  SecretBytes keystream(kBlockSize);
  ByteSpan previous = requestAuthenticator;
  for (std::size_t block = 0; block < cipher.size(); block += kBlockSize) {
    if (!md5({secret, previous}, keystream.data())) return std::nullopt;
    for (std::size_t i = 0; i < kBlockSize; ++i) {
      plain.data()[block + i] = cipher[block + i] ^ keystream.data()[i];
    }
    previous = cipher.subspan(block, kBlockSize);
  }
  std::size_t length = plain.size();
  while (length > 0 && plain.data()[length - 1] == 0) --length;
  if (length == 0 || std::memchr(plain.data(), 0, length) != nullptr) return std::nullopt;
  return SecretBytes(plain.data(), length);
}

std::optional<Bytes> encodeUserPassword(ByteSpan password, ByteSpan secret,
                                        const Authenticator& requestAuthenticator) {
  if (secret.empty() || password.empty() || password.size() > kMaxUserPasswordSize) {
    return std::nullopt;
  }
  const std::size_t padded = (password.size() + kBlockSize - 1) / kBlockSize * kBlockSize;
  SecretBytes plain(padded);
  std::memcpy(plain.data(), password.data(), password.size());
  SecretBytes keystream(kBlockSize);
  Bytes cipher(padded);
  ByteSpan previous = requestAuthenticator;
  for (std::size_t block = 0; block < padded; block += kBlockSize) {
    if (!md5({secret, previous}, keystream.data())) return std::nullopt;
    for (std::size_t i = 0; i < kBlockSize; ++i) {
      cipher[block + i] = plain.data()[block + i] ^ keystream.data()[i];
    }
    previous = ByteSpan(cipher).subspan(block, kBlockSize);
  }
  return cipher;
}

}  // namespace authd::radius
