// Fuzzes the unwrapping of the CBOR byte string libfido2 puts around an assertion's
// authenticator data: only one complete definite-length byte string may come out, never longer
// than its input.
#include <cstddef>
#include <cstdint>

#include "client/fido2/fido2_cbor_bstr.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto raw = authd::fido2_detail::unwrapCborByteString(data, size);
  if (raw && raw->size() >= size) __builtin_trap();
  return 0;
}
