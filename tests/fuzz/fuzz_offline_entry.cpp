// Fuzzes the reading of signed offline entries (client/offline/offline_entry.cpp), which a
// device's agent reads from its cache. The first byte picks what the rest is: 0, a whole entry
// line (envelope, base64url, signature check); otherwise a payload that the fuzzer signs itself
// with its own key, so that the payload reader behind the signature is reached too. Whatever is
// accepted must obey the entry rules and sign again into an entry that reads back the same.
#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "authd/base64url.h"
#include "authd/offline_entry.h"

namespace {

constexpr std::string_view kDevice = "fuzz-device";
constexpr std::int64_t kNow = 1'800'000'000;

EVP_PKEY* fuzzKey() {
  static EVP_PKEY* const key = [] {
    const unsigned char seed[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
    return EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed, sizeof(seed));
  }();
  return key;
}

// An envelope around `payload`, signed as authd signs (context, zero byte, payload).
std::string signedLine(std::string_view payload) {
  std::string message = "authd offline entry v1";
  message.push_back('\0');
  message.append(payload);
  unsigned char sig[64];
  std::size_t n = sizeof(sig);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr ||
      EVP_DigestSignInit_ex(ctx, nullptr, nullptr, nullptr, nullptr, fuzzKey(), nullptr) != 1 ||
      EVP_DigestSign(ctx, sig, &n, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) != 1) {
    __builtin_trap();
  }
  EVP_MD_CTX_free(ctx);
  const auto* bytes = reinterpret_cast<const unsigned char*>(payload.data());
  return "{\"v\":1,\"payload\":\"" + authd::base64urlEncode(std::span(bytes, payload.size())) +
         "\",\"sig\":\"" + authd::base64urlEncode(std::span<const unsigned char>(sig, n)) + "\"}";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string line = data[0] == 0 ? std::string(rest) : signedLine(rest);
  using namespace authd::offline;
  const EntryCheck check = readEntry(line, fuzzKey(), kDevice, kNow);
  if (check.entry.has_value() != (check.refusal == Refusal::none)) __builtin_trap();
  if (!check.entry) return 0;
  const OfflineEntry& e = *check.entry;
  if (e.device != kDevice || kNow >= e.expiresAt || e.keys.empty() || e.keys.size() > kMaxKeys) {
    __builtin_trap();
  }
  const auto again = signEntry(e, fuzzKey());
  if (!again) __builtin_trap();
  const EntryCheck reread = readEntry(*again, fuzzKey(), kDevice, kNow);
  if (!reread.entry || reread.entry->user != e.user || reread.entry->keys.size() != e.keys.size() ||
      reread.entry->keys[0].signCount != e.keys[0].signCount) {
    __builtin_trap();
  }
  return 0;
}
