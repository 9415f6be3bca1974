#pragma once
// RADIUS's MD5 constructions with the shared secret: the Response Authenticator (RFC 2865 §3),
// the Accounting-Request Authenticator (RFC 2866 §3), Message-Authenticator (HMAC-MD5, RFC 3579
// §3.2, RFC 2869 §5.14) and User-Password hiding (RFC 2865 §5.2).
//
// `wire` is always one packet exactly as parseRadiusPacket's ParsedPacket::wire gives it (the
// first Length octets); anything else, and an empty secret, verifies as false. Comparisons are
// constant time (CRYPTO_memcmp). Secrets are never copied into anything that outlives a call
// and never logged; keystream blocks and decoded passwords are wiped.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "authd/base/secret_bytes.h"
#include "authd/radius/radius_packet.h"

namespace authd::radius {

inline constexpr std::size_t kMaxUserPasswordSize = 128;

inline ByteSpan bytesOf(std::string_view text) {
  return {reinterpret_cast<const unsigned char*>(text.data()), text.size()};
}

enum class MessageAuthenticatorState : std::uint8_t {
  kAbsent,   // no attribute 80
  kValid,    // one, 16 octets, and its HMAC matches
  kInvalid,  // malformed packet, malformed or repeated attribute, or wrong HMAC
};

// A request's Message-Authenticator (Access-Request, Status-Server, Accounting-Request):
// HMAC-MD5(secret, packet as sent with the attribute's value zeroed).
MessageAuthenticatorState requestMessageAuthenticator(ByteSpan wire, ByteSpan secret);
// True only when present and valid: what Status-Server and clients under
// require_message_authenticator must have.
bool verifyRequestMessageAuthenticator(ByteSpan wire, ByteSpan secret);

// A reply's Message-Authenticator: the HMAC is over the reply with the Request Authenticator in
// the authenticator field. For test clients; the server only writes these.
MessageAuthenticatorState replyMessageAuthenticator(ByteSpan wire,
                                                    const Authenticator& requestAuthenticator,
                                                    ByteSpan secret);

// MD5(Code ‖ ID ‖ Length ‖ RequestAuth ‖ Attributes ‖ Secret) over a reply's `wire`.
std::optional<Authenticator> responseAuthenticator(ByteSpan wire,
                                                   const Authenticator& requestAuthenticator,
                                                   ByteSpan secret);
bool verifyResponseAuthenticator(ByteSpan wire, const Authenticator& requestAuthenticator,
                                 ByteSpan secret);

// RFC 2866 §3: an Accounting-Request's authenticator is MD5(Code ‖ ID ‖ Length ‖ 16 zero octets ‖
// Attributes ‖ Secret). Also false when it carries a Message-Authenticator that does not verify.
bool verifyAccountingRequest(ByteSpan wire, ByteSpan secret);

// RFC 5997 §3: Status-Server (code 12) MUST carry a valid Message-Authenticator.
bool verifyStatusServer(ByteSpan wire, ByteSpan secret);

// A reply (Access-Accept, -Reject, -Challenge, Accounting-Response) ready to send: Message-
// Authenticator first (BlastRADIUS, draft-ietf-radext-deprecating-radius), then `attributes` in
// order; the HMAC is computed with the Request Authenticator in place, then the Response
// Authenticator over the result. nullopt for another code, an empty secret, a caller-supplied
// Message-Authenticator, or a packet serializeRadiusPacket refuses.
// `requestCode`: the code of the request answered. An Accounting-Response to an
// Accounting-Request computes its Message-Authenticator over 16 zero octets in the authenticator
// field (as the request did; FreeRADIUS and radclient check it so), one to Status-Server over
// the Request Authenticator.
std::optional<Bytes> encodeReply(std::uint8_t code, std::uint8_t identifier,
                                 const Authenticator& requestAuthenticator,
                                 const std::vector<RadiusAttribute>& attributes, ByteSpan secret,
                                 std::uint8_t requestCode = code::kAccessRequest);

// What a client sends, for tests and the test client. Access-Request or Status-Server with the
// given Request Authenticator, Message-Authenticator first when asked (always for Status-Server).
std::optional<Bytes> encodeRequest(std::uint8_t code, std::uint8_t identifier,
                                   const Authenticator& requestAuthenticator,
                                   const std::vector<RadiusAttribute>& attributes, ByteSpan secret,
                                   bool withMessageAuthenticator);
// An Accounting-Request with its RFC 2866 authenticator.
std::optional<Bytes> encodeAccountingRequest(std::uint8_t identifier,
                                             const std::vector<RadiusAttribute>& attributes,
                                             ByteSpan secret);

// User-Password (RFC 2865 §5.2): c(i) = p(i) xor MD5(S ‖ c(i-1)), c(0) = Request Authenticator.
// nullopt for a cipher of 0, more than 128 or not a multiple of 16 octets, an empty secret, or a
// password that is empty or holds a NUL before its NUL padding (it goes on as a C string to the
// directory, where an inner NUL would cut it short). Trailing NULs are stripped.
std::optional<SecretBytes> decodeUserPassword(ByteSpan cipher, ByteSpan secret,
                                              const Authenticator& requestAuthenticator);
// The reverse, padding with NULs to a multiple of 16; nullopt for an empty or over-128-octet
// password or an empty secret.
std::optional<Bytes> encodeUserPassword(ByteSpan password, ByteSpan secret,
                                        const Authenticator& requestAuthenticator);

}  // namespace authd::radius
