#pragma once
// Strict CBOR for everything an authenticator or client sends (COSE keys, authData extensions,
// attestation statements). A bounds-checked scan checks the encoding before libcbor builds a
// tree, so libcbor never allocates for a length that the bytes do not back. Accepted:
// definite lengths only, shortest-form heads (equal values then have equal bytes), no tags, no
// floats (simple values false, true and null only), text strings in valid UTF-8, nesting up to
// kMaxCborDepth, map keys that are integers or text strings and never repeated.

#include <cbor.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "authd/fido2/byte_reader.h"

namespace authd::fido2 {

inline constexpr int kMaxCborDepth = 16;

struct CborFree {
  void operator()(cbor_item_t* item) const { cbor_decref(&item); }
};
using CborItem = std::unique_ptr<cbor_item_t, CborFree>;

// Length of the one strict item at the start of `data`; nullopt when there is none.
std::optional<std::size_t> strictCborItemLength(ByteSpan data);

// Decodes `data` as exactly one strict item (nothing trailing); nullptr otherwise.
CborItem decodeStrictCbor(ByteSpan data);

// Read access to decoded items; nullptr/nullopt when absent or of another type.
const cbor_item_t* cborMapGet(const cbor_item_t* map, std::int64_t key);
const cbor_item_t* cborMapGet(const cbor_item_t* map, std::string_view key);
std::optional<std::int64_t> cborAsInt(const cbor_item_t* item);
std::optional<ByteSpan> cborAsBytes(const cbor_item_t* item);
std::optional<std::string_view> cborAsText(const cbor_item_t* item);

}  // namespace authd::fido2
