#pragma once
// RSA-2048 keys for RS256 credentials. Generating one takes tens to hundreds of milliseconds, so
// keys drawn from a seeded Rng are cached by the Rng's draw (a fixed number of entries, oldest
// evicted): the same seed and position give the same key within a process, the way ES256 and
// EdDSA keys repeat, and a test suite pays for each distinct key once.

#include "fido2/pkey_util.h"
#include "fido2/rng.h"

namespace authd::testing {

inline constexpr size_t kRsaKeyCacheSize = 16;

// A fresh RSA-2048 key (e = 65537) for an unseeded Rng; a cached one for a seeded draw. Throws
// std::runtime_error when OpenSSL cannot generate one.
EvpPkeyPtr rsa2048Key(Rng& rng);

}  // namespace authd::testing
