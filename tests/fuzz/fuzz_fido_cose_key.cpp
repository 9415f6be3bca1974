// Fuzzes the strict CBOR reader and the COSE_Key parser (authd/fido2/cose_key.h): the length scan
// and the decoder agree, and a key comes out only for ES256, EdDSA or RS256 with its OpenSSL key.
// An accepted key then has to refuse a signature made of the input bytes.
#include <cstddef>
#include <cstdint>

#include "authd/fido2/cbor_strict.h"
#include "authd/fido2/cose_key.h"
#include "authd/fido2/relying_party.h"
#include "authd/fido2/signature.h"

using namespace authd::fido2;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteSpan input(data, size);
  const auto length = strictCborItemLength(input);
  const bool decoded = decodeStrictCbor(input) != nullptr;
  if (decoded != (length && *length == size)) __builtin_trap();
  if (length && *length > size) __builtin_trap();

  const CoseKey key = parseCoseKey(input);
  if (key.status == CoseKeyStatus::ok) {
    if (!decoded || !key.publicKey) __builtin_trap();
    if (key.algorithm != kEs256 && key.algorithm != kEdDsa && key.algorithm != kRs256)
      __builtin_trap();
    if (!keySuitsAlgorithm(key.publicKey.get(), key.algorithm)) __builtin_trap();
    if (verifySignature(key.publicKey.get(), key.algorithm, input, {}, input)) __builtin_trap();
  } else if (key.publicKey) {
    __builtin_trap();
  }
  return 0;
}
