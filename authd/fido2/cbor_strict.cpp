#include "authd/fido2/cbor_strict.h"

#include <algorithm>
#include <limits>
#include <string_view>
#include <vector>

#include "authd/text.h"

namespace authd::fido2 {
namespace {

enum Major : std::uint8_t {
  kUnsigned = 0,
  kNegative = 1,
  kByteString = 2,
  kTextString = 3,
  kArray = 4,
  kMap = 5,
  kTag = 6,
  kSimple = 7,
};

constexpr std::uint64_t kFalse = 20;
constexpr std::uint64_t kNull = 22;

struct Head {
  std::uint8_t major = 0;
  std::uint64_t argument = 0;
};

// Walks the encoding without building anything; every length is checked against the bytes left.
class StrictScanner {
 public:
  explicit StrictScanner(ByteSpan data) : in_(data) {}

  bool item(int depth) {
    Head head;
    if (depth > kMaxCborDepth || !readHead(&head)) return false;
    switch (head.major) {
      case kUnsigned:
      case kNegative:
        return true;
      case kByteString:
      case kTextString: {
        ByteSpan content;
        return head.argument <= in_.remaining() && in_.take(head.argument, &content) &&
               (head.major == kByteString ||
                isValidUtf8(std::string_view(reinterpret_cast<const char*>(content.data()),
                                             content.size())));
      }
      case kArray:
        return array(head.argument, depth);
      case kMap:
        return map(head.argument, depth);
      case kSimple:
        return head.argument >= kFalse && head.argument <= kNull;
      default:  // tags
        return false;
    }
  }
  std::size_t consumed(std::size_t total) const { return total - in_.remaining(); }

 private:
  // Initial byte plus argument, in shortest form; indefinite lengths and reserved values fail.
  bool readHead(Head* head) {
    std::uint8_t initial = 0;
    if (!in_.u8(&initial)) return false;
    head->major = initial >> 5;
    const std::uint8_t info = initial & 0x1f;
    if (info < 24) {
      head->argument = info;
      return true;
    }
    if (info > 27) return false;
    const std::size_t width = std::size_t{1} << (info - 24);
    ByteSpan bytes;
    if (!in_.take(width, &bytes)) return false;
    std::uint64_t value = 0;
    for (unsigned char byte : bytes) value = (value << 8) | byte;
    const std::uint64_t smallest = width == 1 ? 24 : std::uint64_t{1} << (4 * width);
    head->argument = value;
    return value >= smallest;
  }

  bool array(std::uint64_t count, int depth) {
    if (count > in_.remaining()) return false;  // every item takes at least one byte
    for (std::uint64_t i = 0; i < count; ++i) {
      if (!item(depth + 1)) return false;
    }
    return true;
  }

  bool map(std::uint64_t count, int depth) {
    if (count > in_.remaining() / 2) return false;
    std::vector<ByteSpan> keys;
    keys.reserve(count);
    for (std::uint64_t i = 0; i < count; ++i) {
      const ByteSpan keyStart = in_.rest();
      if (keyStart.empty()) return false;
      const std::uint8_t major = keyStart[0] >> 5;
      if (major != kUnsigned && major != kNegative && major != kTextString) return false;
      if (!item(depth + 1)) return false;
      keys.push_back(keyStart.first(keyStart.size() - in_.remaining()));
      if (!item(depth + 1)) return false;
    }
    return distinct(keys);
  }

  // Shortest-form heads make the encoding of a key unique, so byte equality is key equality.
  static bool distinct(std::vector<ByteSpan>& keys) {
    const auto less = [](ByteSpan a, ByteSpan b) {
      return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
    };
    const auto equal = [](ByteSpan a, ByteSpan b) { return std::ranges::equal(a, b); };
    std::sort(keys.begin(), keys.end(), less);
    return std::adjacent_find(keys.begin(), keys.end(), equal) == keys.end();
  }

  ByteReader in_;
};

}  // namespace

std::optional<std::size_t> strictCborItemLength(ByteSpan data) {
  StrictScanner scanner(data);
  if (!scanner.item(0)) return std::nullopt;
  return scanner.consumed(data.size());
}

CborItem decodeStrictCbor(ByteSpan data) {
  const std::optional<std::size_t> length = strictCborItemLength(data);
  if (!length || *length != data.size()) return nullptr;
  cbor_load_result result{};
  CborItem item(cbor_load(data.data(), data.size(), &result));
  if (!item || result.error.code != CBOR_ERR_NONE || result.read != data.size()) return nullptr;
  return item;
}

const cbor_item_t* cborMapGet(const cbor_item_t* map, std::int64_t key) {
  if (map == nullptr || !cbor_isa_map(map)) return nullptr;
  const cbor_pair* pairs = cbor_map_handle(map);
  for (std::size_t i = 0; i < cbor_map_size(map); ++i) {
    if (cborAsInt(pairs[i].key) == key) return pairs[i].value;
  }
  return nullptr;
}

const cbor_item_t* cborMapGet(const cbor_item_t* map, std::string_view key) {
  if (map == nullptr || !cbor_isa_map(map)) return nullptr;
  const cbor_pair* pairs = cbor_map_handle(map);
  for (std::size_t i = 0; i < cbor_map_size(map); ++i) {
    if (cborAsText(pairs[i].key) == key) return pairs[i].value;
  }
  return nullptr;
}

std::optional<std::int64_t> cborAsInt(const cbor_item_t* item) {
  if (item == nullptr || !(cbor_isa_uint(item) || cbor_isa_negint(item))) return std::nullopt;
  const std::uint64_t magnitude = cbor_get_int(item);
  if (magnitude > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return std::nullopt;
  }
  const auto value = static_cast<std::int64_t>(magnitude);
  return cbor_isa_uint(item) ? value : -1 - value;
}

std::optional<ByteSpan> cborAsBytes(const cbor_item_t* item) {
  if (item == nullptr || !cbor_isa_bytestring(item) || !cbor_bytestring_is_definite(item)) {
    return std::nullopt;
  }
  return ByteSpan(cbor_bytestring_handle(item), cbor_bytestring_length(item));
}

std::optional<std::string_view> cborAsText(const cbor_item_t* item) {
  if (item == nullptr || !cbor_isa_string(item) || !cbor_string_is_definite(item)) {
    return std::nullopt;
  }
  return std::string_view(reinterpret_cast<const char*>(cbor_string_handle(item)),
                          cbor_string_length(item));
}

}  // namespace authd::fido2
