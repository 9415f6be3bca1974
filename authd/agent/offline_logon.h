#pragma once
// A device's logon while no central authd can be reached (docs/offline.md): factors,
// fido2_begin and verify answered from the device's signed offline entries, and nothing else.
// Only FIDO2: a fresh local challenge, UP required, UV as the entry says, the signature against
// the entry's key, and the signature counter above every counter known for the key, stored
// before the answer. TOTP and directory passwords cannot be checked here: those requests get
// `unavailable` with a message for the person at the device.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "authd/agent/offline_cache.h"
#include "authd/base/random.h"
#include "authd/json_reader.h"
#include "authd/logon/challenge_book.h"

namespace authd {

class OfflineLogon {
 public:
  static constexpr std::int64_t kChallengeSeconds = 120;

  OfflineLogon(OfflineCache& cache, Clock clock, Random random)
      : cache_(cache), clock_(std::move(clock)), random_(std::move(random)) {}

  // The answer (without "v"/"id"... the whole line object) to `op`, whose request the central
  // authd did not receive. `reader` holds the request, its envelope already read.
  nlohmann::json answer(std::string_view op, JsonReader& reader, const nlohmann::json& id);

 private:
  nlohmann::json factors(JsonReader& reader, const nlohmann::json& id);
  nlohmann::json begin(JsonReader& reader, const nlohmann::json& id);
  nlohmann::json verify(JsonReader& reader, const nlohmann::json& id);
  // The user's usable entry, or the refusal to send.
  std::optional<offline::OfflineEntry> usableEntry(const std::string& user,
                                                   const nlohmann::json& id,
                                                   nlohmann::json* refusal);

  OfflineCache& cache_;
  Clock clock_;
  Random random_;
  ChallengeBook challenges_{ChallengeBook::Limits{1024, 8, 1024}};
};

}  // namespace authd
