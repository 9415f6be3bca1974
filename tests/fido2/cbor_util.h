#pragma once
// CBOR for the soft authenticator (libcbor): a strict decoder for requests from libfido2 and a
// builder that emits maps in CTAP2-canonical key order, which libfido2 insists on.

#include <cbor.h>

#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include "fido2/bytes.h"

namespace authd::testing {

struct CborDeleter {
  void operator()(cbor_item_t* item) const { cbor_decref(&item); }
};
using CborPtr = std::unique_ptr<cbor_item_t, CborDeleter>;

// Largest CBOR request we accept: a full CTAPHID message.
inline constexpr size_t kMaxCborInput = 7609;
inline constexpr int kMaxCborDepth = 8;

// Decodes exactly one item spanning the whole input. Rejects (nullptr) trailing bytes, truncation,
// indefinite lengths, tags, floats, nesting deeper than kMaxCborDepth, and maps with a repeated
// key.
CborPtr decodeCbor(ByteView input);

// Serialises an item; empty on failure.
Bytes encodeCbor(const cbor_item_t* item);

CborPtr cborInt(int64_t value);
CborPtr cborBytes(ByteView value);
CborPtr cborText(std::string_view value);
CborPtr cborBool(bool value);

// Builds a definite array from items (order kept).
class CborArrayBuilder {
 public:
  CborArrayBuilder& add(CborPtr item);
  CborPtr build();

 private:
  std::vector<CborPtr> items_;
};

// Builds a definite map; keys are sorted by their encoding (shorter first, then bytewise), which is
// CTAP2-canonical order whatever the insertion order.
class CanonicalMap {
 public:
  CanonicalMap& add(int64_t key, CborPtr value);
  CanonicalMap& add(std::string_view key, CborPtr value);
  CborPtr build();  // nullptr on allocation failure or a repeated key

 private:
  CanonicalMap& addItem(CborPtr key, CborPtr value);
  struct Entry {
    Bytes encodedKey;
    CborPtr key;
    CborPtr value;
  };
  std::vector<Entry> entries_;
  bool failed_ = false;
};

// Typed read access to decoded items; nullopt when the item is absent or of another type.
const cbor_item_t* mapFind(const cbor_item_t* map, int64_t key);
const cbor_item_t* mapFind(const cbor_item_t* map, std::string_view key);
std::optional<ByteView> asBytes(const cbor_item_t* item);
std::optional<std::string_view> asText(const cbor_item_t* item);
std::optional<bool> asBool(const cbor_item_t* item);
std::optional<int64_t> asInt(const cbor_item_t* item);
bool isMap(const cbor_item_t* item);
bool isArray(const cbor_item_t* item);

}  // namespace authd::testing
