#include "authd/text.h"

#include <cstdint>

namespace authd {

namespace {

unsigned char byteAt(std::string_view s, std::size_t i) { return static_cast<unsigned char>(s[i]); }

// The code point of the well-formed sequence of `length` bytes at s[i].
char32_t decodeAt(std::string_view s, std::size_t i, std::size_t length) {
  static constexpr unsigned char kLeadMask[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
  char32_t c = byteAt(s, i) & kLeadMask[length];
  for (std::size_t k = 1; k < length; ++k) c = (c << 6) | (byteAt(s, i + k) & 0x3F);
  return c;
}

void appendHex(std::string* out, std::uint32_t value, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
    out->push_back(kHex[(value >> shift) & 0xF]);
}

}  // namespace

std::size_t utf8SequenceAt(std::string_view s, std::size_t i) {
  const unsigned char lead = byteAt(s, i);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80;  // bounds of the second byte; later ones are always 80..BF
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (s.size() - i < length || byteAt(s, i + 1) < low || byteAt(s, i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (byteAt(s, i + k) < 0x80 || byteAt(s, i + k) > 0xBF) return 0;
  }
  return length;
}

bool isValidUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t length = utf8SequenceAt(s, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

std::string_view truncateUtf8(std::string_view s, std::size_t maxBytes) {
  if (s.size() <= maxBytes) return s;
  std::size_t cut = maxBytes;
  while (cut > 0 && (byteAt(s, cut) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut);
}

bool isUnsafeCodePoint(char32_t c) {
  if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) return true;       // C0, DEL, C1
  if (c == 0x061C || c == 0x200E || c == 0x200F) return true;  // bidi marks
  if (c >= 0x202A && c <= 0x202E) return true;                 // embeddings and overrides
  return c >= 0x2066 && c <= 0x2069;                           // isolates
}

bool isSafeText(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t length = utf8SequenceAt(s, i);
    if (length == 0 || isUnsafeCodePoint(decodeAt(s, i, length))) return false;
    i += length;
  }
  return true;
}

std::string escapeUnsafe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t length = utf8SequenceAt(s, i);
    if (length == 0) {
      out += "\\x";
      appendHex(&out, byteAt(s, i), 2);
      ++i;
      continue;
    }
    const char32_t c = decodeAt(s, i, length);
    if (!isUnsafeCodePoint(c)) {
      out.append(s.substr(i, length));
    } else if (c < 0x80) {
      out += "\\x";
      appendHex(&out, c, 2);
    } else {
      out += "\\u";
      appendHex(&out, c, 4);
    }
    i += length;
  }
  return out;
}

}  // namespace authd
