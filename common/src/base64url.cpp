#include "authd/base64url.h"

#include <array>
#include <cstdint>

namespace authd {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<std::int8_t, 256> makeDecodeTable() {
  std::array<std::int8_t, 256> table{};
  table.fill(-1);
  for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = std::int8_t(i);
  return table;
}

constexpr auto kDecode = makeDecodeTable();

}  // namespace

std::string base64urlEncode(std::span<const unsigned char> data) {
  std::string out;
  out.reserve(base64urlLength(data.size()));
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char byte : data) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 0x3f]);
  return out;
}

std::optional<Bytes> base64urlDecode(std::string_view text, std::size_t maxBytes) {
  if (text.size() % 4 == 1) return std::nullopt;
  const std::size_t outSize = text.size() * 3 / 4;
  if (outSize > maxBytes) return std::nullopt;
  Bytes out;
  out.reserve(outSize);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    const std::int8_t value = kDecode[static_cast<unsigned char>(c)];
    if (value < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<unsigned char>((buffer >> bits) & 0xff));
    }
  }
  // Leftover bits must be zero: otherwise two texts would decode to the same bytes.
  if (bits > 0 && (buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

}  // namespace authd
