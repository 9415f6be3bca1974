#include "authd/radius/radius_state.h"

#include <algorithm>
#include <utility>

namespace authd::radius {

namespace {

// Draws for a State no record holds: 128 random bits collide only when the RNG is broken.
constexpr int kIdAttempts = 4;

}  // namespace

ChallengeStates::ChallengeStates(Random random, std::size_t maxStates, std::size_t maxPerClient,
                                 std::int64_t ttlSeconds)
    : random_(std::move(random)),
      maxStates_(maxStates),
      maxPerClient_(maxPerClient),
      ttl_(ttlSeconds) {}

std::optional<StateId> ChallengeStates::open(const std::string& user, const std::string& client,
                                             SecretBytes password, std::int64_t now) {
  std::lock_guard lock(mutex_);
  expire(now);
  const auto quota = perClient_.find(client);
  const std::size_t ofClient = quota == perClient_.end() ? 0 : quota->second;
  if (records_.size() >= maxStates_ || ofClient >= maxPerClient_) return std::nullopt;
  StateId id{};
  int attempts = 0;
  do {
    if (attempts++ == kIdAttempts) return std::nullopt;
    random_(id.data(), id.size());
  } while (records_.contains(id));
  records_.emplace(id, Record{user, client, std::move(password), now + ttl_});
  byExpiry_.emplace(now + ttl_, id);
  ++perClient_[client];
  return id;
}

std::optional<SecretBytes> ChallengeStates::take(fido2::ByteSpan state, const std::string& user,
                                                 const std::string& client, std::int64_t now) {
  std::lock_guard lock(mutex_);
  expire(now);
  StateId id{};
  if (state.size() != id.size()) return std::nullopt;
  std::copy(state.begin(), state.end(), id.begin());
  const auto found = records_.find(id);
  if (found == records_.end()) return std::nullopt;
  const bool matches = found->second.user == user && found->second.client == client;
  SecretBytes password = std::move(found->second.password);
  erase(found);
  if (!matches) return std::nullopt;
  return password;
}

std::size_t ChallengeStates::sizeForTest() const {
  std::lock_guard lock(mutex_);
  return records_.size();
}

void ChallengeStates::expire(std::int64_t now) {
  while (!byExpiry_.empty() && byExpiry_.begin()->first <= now) {
    const auto record = records_.find(byExpiry_.begin()->second);
    if (record == records_.end()) {
      byExpiry_.erase(byExpiry_.begin());  // unreachable: erase() keeps both in step
    } else {
      erase(record);
    }
  }
}

void ChallengeStates::erase(std::map<StateId, Record>::iterator record) {
  byExpiry_.erase({record->second.expires, record->first});
  const auto quota = perClient_.find(record->second.client);
  if (quota != perClient_.end() && --quota->second == 0) perClient_.erase(quota);
  records_.erase(record);
}

}  // namespace authd::radius
