#pragma once
// The one rule for outside text: well-formed UTF-8 (Unicode table 3-7: no overlong forms, no
// surrogates, nothing above U+10FFFF), and which characters may not appear in names and free
// text because they drive a terminal or reorder what a reader sees (C0, DEL, C1, the bidi
// embeddings, overrides, isolates and marks). Used by the daemon's request reader, the clients
// and authctl's output.

#include <cstddef>
#include <string>
#include <string_view>

namespace authd {

// Length of the well-formed UTF-8 sequence at s[i] (i < s.size()), or 0 when there is none.
std::size_t utf8SequenceAt(std::string_view s, std::size_t i);
bool isValidUtf8(std::string_view s);
// Cuts s to at most maxBytes without splitting a UTF-8 sequence.
std::string_view truncateUtf8(std::string_view s, std::size_t maxBytes);

// C0 controls, DEL, C1 controls, U+061C, U+200E/F, U+202A..U+202E, U+2066..U+2069.
bool isUnsafeCodePoint(char32_t c);
// Valid UTF-8 without any unsafe code point: what names, labels and other free text must be.
bool isSafeText(std::string_view s);
// s with every byte that is not valid UTF-8 written as \xNN, every unsafe code point below
// U+0080 as \xNN and every other one as \uNNNN; safe text is returned unchanged.
std::string escapeUnsafe(std::string_view s);

}  // namespace authd
