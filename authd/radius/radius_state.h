#pragma once
// Open Access-Challenges (challenge mode, docs/radius.md): the State attribute a gateway echoes
// in its second round. A State is 16 random octets, single use, bound to the user and the client
// that opened it, valid for `ttl` seconds. Its server-side record holds the first round's
// directory password, wiped when the record goes: the directory is asked only after the code of
// the second round matched, so the first round is no password oracle.
//
// Bounded: at most `maxStates` in all and `maxPerClient` per client (so one gateway cannot take
// the others' room); expired records are dropped first. Thread-safe.

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "authd/base/random.h"
#include "authd/base/secret_bytes.h"
#include "authd/fido2/byte_reader.h"

namespace authd::radius {

using StateId = std::array<unsigned char, 16>;

class ChallengeStates {
 public:
  ChallengeStates(Random random, std::size_t maxStates, std::size_t maxPerClient,
                  std::int64_t ttlSeconds);

  // A new State for `user` at `client` holding `password`; nullopt when full (all, or this
  // client's quota, after dropping expired records). `now` in seconds of a monotonic clock.
  std::optional<StateId> open(const std::string& user, const std::string& client,
                              SecretBytes password, std::int64_t now);

  // The password of `state` when it exists, has not expired and was opened for this `user` at
  // this `client`. The record is removed whenever the State is known, also when user or client
  // do not match: a State is tried once. nullopt otherwise.
  std::optional<SecretBytes> take(fido2::ByteSpan state, const std::string& user,
                                  const std::string& client, std::int64_t now);

  std::size_t sizeForTest() const;

 private:
  struct Record {
    std::string user;
    std::string client;
    SecretBytes password;
    std::int64_t expires = 0;
  };
  void expire(std::int64_t now);
  void erase(std::map<StateId, Record>::iterator record);

  mutable std::mutex mutex_;
  Random random_;
  std::size_t maxStates_;
  std::size_t maxPerClient_;
  std::int64_t ttl_;
  std::map<StateId, Record> records_;
  std::unordered_map<std::string, std::size_t> perClient_;
  std::set<std::pair<std::int64_t, StateId>> byExpiry_;  // (expires, state), soonest first
};

}  // namespace authd::radius
