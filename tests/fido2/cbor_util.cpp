#include "fido2/cbor_util.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace authd::testing {
namespace {

// Pre-scan with the streaming decoder, before cbor_load allocates anything: rejects indefinite
// lengths, tags and floats, and container sizes that the input cannot possibly hold (libcbor
// would otherwise preallocate them).
struct ScanState {
  size_t limit;
  bool bad = false;
};

void markBad(void* context) { static_cast<ScanState*>(context)->bad = true; }
void markBadFloat(void* context, float) { markBad(context); }
void markBadDouble(void* context, double) { markBad(context); }
void markBadTag(void* context, uint64_t) { markBad(context); }
void checkArray(void* context, size_t size) {
  auto* state = static_cast<ScanState*>(context);
  if (size > state->limit) state->bad = true;
}
void checkMap(void* context, size_t size) {
  auto* state = static_cast<ScanState*>(context);
  if (size > state->limit / 2) state->bad = true;
}

bool prescan(ByteView input) {
  cbor_callbacks callbacks = cbor_empty_callbacks;
  callbacks.byte_string_start = markBad;  // indefinite byte string
  callbacks.string_start = markBad;       // indefinite text string
  callbacks.indef_array_start = markBad;
  callbacks.indef_map_start = markBad;
  callbacks.indef_break = markBad;
  callbacks.undefined = markBad;
  callbacks.tag = markBadTag;
  callbacks.float2 = markBadFloat;
  callbacks.float4 = markBadFloat;
  callbacks.float8 = markBadDouble;
  callbacks.array_start = checkArray;
  callbacks.map_start = checkMap;
  ScanState state{input.size()};
  size_t offset = 0;
  while (offset < input.size() && !state.bad) {
    const cbor_decoder_result result =
        cbor_stream_decode(input.data() + offset, input.size() - offset, &callbacks, &state);
    if (result.status != CBOR_DECODER_FINISHED || result.read == 0) return false;
    offset += result.read;
  }
  return !state.bad && offset == input.size();
}

bool keyLess(const Bytes& a, const Bytes& b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

bool validMap(const cbor_item_t* map, int depth);

bool validItem(const cbor_item_t* item, int depth) {
  if (depth > kMaxCborDepth) return false;
  switch (cbor_typeof(item)) {
    case CBOR_TYPE_UINT:
    case CBOR_TYPE_NEGINT:
      return true;
    case CBOR_TYPE_BYTESTRING:
      return cbor_bytestring_is_definite(item);
    case CBOR_TYPE_STRING:
      return cbor_string_is_definite(item);
    case CBOR_TYPE_ARRAY: {
      if (!cbor_array_is_definite(item)) return false;
      cbor_item_t** elements = cbor_array_handle(item);
      for (size_t i = 0; i < cbor_array_size(item); ++i) {
        if (!validItem(elements[i], depth + 1)) return false;
      }
      return true;
    }
    case CBOR_TYPE_MAP:
      return validMap(item, depth);
    case CBOR_TYPE_FLOAT_CTRL:
      return cbor_is_bool(item) || cbor_is_null(item);
    default:
      return false;  // tags
  }
}

bool validMap(const cbor_item_t* map, int depth) {
  if (!cbor_map_is_definite(map)) return false;
  std::vector<Bytes> keys;
  const cbor_pair* pairs = cbor_map_handle(map);
  for (size_t i = 0; i < cbor_map_size(map); ++i) {
    if (!validItem(pairs[i].key, depth + 1) || !validItem(pairs[i].value, depth + 1)) return false;
    keys.push_back(encodeCbor(pairs[i].key));
    if (keys.back().empty()) return false;
  }
  std::sort(keys.begin(), keys.end(), keyLess);
  return std::adjacent_find(keys.begin(), keys.end()) == keys.end();
}

}  // namespace

CborPtr decodeCbor(ByteView input) {
  if (input.empty() || input.size() > kMaxCborInput || !prescan(input)) return nullptr;
  cbor_load_result result{};
  CborPtr item(cbor_load(input.data(), input.size(), &result));
  if (!item || result.error.code != CBOR_ERR_NONE || result.read != input.size()) return nullptr;
  if (!validItem(item.get(), 1)) return nullptr;
  return item;
}

Bytes encodeCbor(const cbor_item_t* item) {
  unsigned char* buffer = nullptr;
  size_t capacity = 0;
  // cbor_serialize_alloc does not modify the item; its signature predates const-correctness.
  const size_t length = cbor_serialize_alloc(const_cast<cbor_item_t*>(item), &buffer, &capacity);
  Bytes out;
  if (length > 0 && buffer != nullptr) out.assign(buffer, buffer + length);
  std::free(buffer);
  return out;
}

CborPtr cborInt(int64_t value) {
  const bool negative = value < 0;
  // CBOR negative integers carry -1 - value; computed without overflow.
  const uint64_t magnitude =
      negative ? static_cast<uint64_t>(-(value + 1)) : static_cast<uint64_t>(value);
  cbor_item_t* item = nullptr;
  if (magnitude <= 0xff) {
    item = negative ? cbor_build_negint8(static_cast<uint8_t>(magnitude))
                    : cbor_build_uint8(static_cast<uint8_t>(magnitude));
  } else if (magnitude <= 0xffff) {
    item = negative ? cbor_build_negint16(static_cast<uint16_t>(magnitude))
                    : cbor_build_uint16(static_cast<uint16_t>(magnitude));
  } else if (magnitude <= 0xffffffff) {
    item = negative ? cbor_build_negint32(static_cast<uint32_t>(magnitude))
                    : cbor_build_uint32(static_cast<uint32_t>(magnitude));
  } else {
    item = negative ? cbor_build_negint64(magnitude) : cbor_build_uint64(magnitude);
  }
  return CborPtr(item);
}

CborPtr cborBytes(ByteView value) {
  static const uint8_t kEmpty = 0;
  return CborPtr(cbor_build_bytestring(value.empty() ? &kEmpty : value.data(), value.size()));
}

CborPtr cborText(std::string_view value) {
  return CborPtr(cbor_build_stringn(value.data(), value.size()));
}

CborPtr cborBool(bool value) { return CborPtr(cbor_build_bool(value)); }

CborArrayBuilder& CborArrayBuilder::add(CborPtr item) {
  items_.push_back(std::move(item));
  return *this;
}

CborPtr CborArrayBuilder::build() {
  CborPtr array(cbor_new_definite_array(items_.size()));
  if (!array) return nullptr;
  for (const CborPtr& item : items_) {
    if (!item || !cbor_array_push(array.get(), item.get())) return nullptr;
  }
  return array;
}

CanonicalMap& CanonicalMap::add(int64_t key, CborPtr value) {
  return addItem(cborInt(key), std::move(value));
}

CanonicalMap& CanonicalMap::add(std::string_view key, CborPtr value) {
  return addItem(cborText(key), std::move(value));
}

CanonicalMap& CanonicalMap::addItem(CborPtr key, CborPtr value) {
  if (!key || !value) {
    failed_ = true;
    return *this;
  }
  Bytes encoded = encodeCbor(key.get());
  if (encoded.empty()) failed_ = true;
  entries_.push_back(Entry{std::move(encoded), std::move(key), std::move(value)});
  return *this;
}

CborPtr CanonicalMap::build() {
  if (failed_) return nullptr;
  std::sort(entries_.begin(), entries_.end(),
            [](const Entry& a, const Entry& b) { return keyLess(a.encodedKey, b.encodedKey); });
  for (size_t i = 1; i < entries_.size(); ++i) {
    if (entries_[i].encodedKey == entries_[i - 1].encodedKey) return nullptr;
  }
  CborPtr map(cbor_new_definite_map(entries_.size()));
  if (!map) return nullptr;
  for (const Entry& entry : entries_) {
    if (!cbor_map_add(map.get(), cbor_pair{entry.key.get(), entry.value.get()})) return nullptr;
  }
  return map;
}

const cbor_item_t* mapFind(const cbor_item_t* map, int64_t key) {
  if (!isMap(map)) return nullptr;
  const cbor_pair* pairs = cbor_map_handle(map);
  for (size_t i = 0; i < cbor_map_size(map); ++i) {
    const std::optional<int64_t> candidate = asInt(pairs[i].key);
    if (candidate && *candidate == key) return pairs[i].value;
  }
  return nullptr;
}

const cbor_item_t* mapFind(const cbor_item_t* map, std::string_view key) {
  if (!isMap(map)) return nullptr;
  const cbor_pair* pairs = cbor_map_handle(map);
  for (size_t i = 0; i < cbor_map_size(map); ++i) {
    const std::optional<std::string_view> candidate = asText(pairs[i].key);
    if (candidate && *candidate == key) return pairs[i].value;
  }
  return nullptr;
}

std::optional<ByteView> asBytes(const cbor_item_t* item) {
  if (item == nullptr || !cbor_isa_bytestring(item) || !cbor_bytestring_is_definite(item)) {
    return std::nullopt;
  }
  return ByteView(cbor_bytestring_handle(item), cbor_bytestring_length(item));
}

std::optional<std::string_view> asText(const cbor_item_t* item) {
  if (item == nullptr || !cbor_isa_string(item) || !cbor_string_is_definite(item)) {
    return std::nullopt;
  }
  return std::string_view(reinterpret_cast<const char*>(cbor_string_handle(item)),
                          cbor_string_length(item));
}

std::optional<bool> asBool(const cbor_item_t* item) {
  if (item == nullptr || !cbor_is_bool(item)) return std::nullopt;
  return cbor_get_bool(item);
}

std::optional<int64_t> asInt(const cbor_item_t* item) {
  if (item == nullptr) return std::nullopt;
  constexpr auto kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (cbor_isa_uint(item)) {
    const uint64_t value = cbor_get_int(item);
    if (value > kMax) return std::nullopt;
    return static_cast<int64_t>(value);
  }
  if (cbor_isa_negint(item)) {
    const uint64_t value = cbor_get_int(item);
    if (value > kMax) return std::nullopt;
    return -1 - static_cast<int64_t>(value);
  }
  return std::nullopt;
}

bool isMap(const cbor_item_t* item) { return item != nullptr && cbor_isa_map(item); }
bool isArray(const cbor_item_t* item) { return item != nullptr && cbor_isa_array(item); }

}  // namespace authd::testing
