#include "fido2_cbor_bstr.h"

#include <cstdint>

namespace authd::fido2_detail {

namespace {

constexpr unsigned kMajorByteString = 2;
constexpr unsigned kInlineLengthLimit = 24;  // additional info 0..23 is the length itself

// Bytes of the length field that follow the initial byte; nullopt for 28..31 (reserved,
// indefinite).
std::optional<std::size_t> lengthFieldBytes(unsigned info) {
  if (info < kInlineLengthLimit) return 0;
  switch (info) {
    case 24:
      return 1;
    case 25:
      return 2;
    case 26:
      return 4;
    case 27:
      return 8;
    default:
      return std::nullopt;
  }
}

}  // namespace

std::optional<Bytes> unwrapCborByteString(const unsigned char* data, std::size_t size) {
  if (data == nullptr || size == 0) return std::nullopt;
  if ((data[0] >> 5) != kMajorByteString) return std::nullopt;
  const unsigned info = data[0] & 0x1fU;
  const auto fieldBytes = lengthFieldBytes(info);
  if (!fieldBytes || size < 1 + *fieldBytes) return std::nullopt;
  std::uint64_t length = *fieldBytes == 0 ? info : 0;
  for (std::size_t i = 1; i <= *fieldBytes; ++i) length = (length << 8) | data[i];
  const std::size_t header = 1 + *fieldBytes;
  if (length != size - header) return std::nullopt;
  return Bytes(data + header, data + size);
}

}  // namespace authd::fido2_detail
