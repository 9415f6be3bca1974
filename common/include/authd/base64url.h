#pragma once
// base64url without padding (RFC 4648 §5), the encoding of every binary field of the protocol
// (challenges, credential ids, authenticator data, signatures). The decoder is strict: no
// padding, no whitespace, no characters outside the alphabet, no length that cannot occur
// (n % 4 == 1) and no non-zero bits left over in the last character, so every byte string has
// exactly one accepted text form.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace authd {

using Bytes = std::vector<unsigned char>;

std::string base64urlEncode(std::span<const unsigned char> data);

// nullopt when `text` is not canonical base64url or decodes to more than maxBytes bytes.
std::optional<Bytes> base64urlDecode(std::string_view text, std::size_t maxBytes = SIZE_MAX);

// Longest text that decodes to at most `bytes` bytes.
constexpr std::size_t base64urlLength(std::size_t bytes) { return (bytes * 4 + 2) / 3; }

}  // namespace authd
