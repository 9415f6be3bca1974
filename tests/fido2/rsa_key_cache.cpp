#include "fido2/rsa_key_cache.h"

#include <openssl/rsa.h>

#include <array>
#include <deque>
#include <mutex>
#include <stdexcept>

namespace authd::testing {
namespace {

constexpr unsigned kRsaBits = 2048;

struct CacheEntry {
  std::array<uint8_t, 32> draw;
  EvpPkeyPtr key;
};

EvpPkeyPtr generate() {
  EvpPkeyPtr key(EVP_RSA_gen(kRsaBits));
  if (!key) throw std::runtime_error("EVP_RSA_gen");
  return key;
}

EvpPkeyPtr shared(EVP_PKEY* key) {
  if (EVP_PKEY_up_ref(key) != 1) throw std::runtime_error("EVP_PKEY_up_ref");
  return EvpPkeyPtr(key);
}

}  // namespace

EvpPkeyPtr rsa2048Key(Rng& rng) {
  if (!rng.seeded()) return generate();
  std::array<uint8_t, 32> draw{};
  rng.fill(draw);
  static std::mutex mutex;
  // Never destroyed: the keys must not be freed after OpenSSL's own atexit cleanup.
  static auto& cache = *new std::deque<CacheEntry>();
  std::lock_guard lock(mutex);
  for (const CacheEntry& entry : cache) {
    if (entry.draw == draw) return shared(entry.key.get());
  }
  if (cache.size() >= kRsaKeyCacheSize) cache.pop_front();
  cache.push_back(CacheEntry{draw, generate()});
  return shared(cache.back().key.get());
}

}  // namespace authd::testing
