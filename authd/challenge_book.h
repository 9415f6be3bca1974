#pragma once
// Open FIDO2 challenges: each is single use (take() removes it whatever happens next), bound to
// the user, service and allow list it was issued for, and expires after its TTL. Kept in memory
// and bounded: a flood of fido2_begin calls evicts the oldest challenges instead of growing.
// Several authd nodes would keep this in the shared store instead (roadmap); the interface is
// small enough to move behind one.

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "authd/base64url.h"

namespace authd {

// A credential a logon challenge may be answered with, as stored when the challenge was issued:
// verification needs no database read. Revocation or a clone mark in between is still caught
// by the counter update in the write transaction.
struct AllowedKey {
  Bytes credentialId;
  std::int64_t credentialRow = 0;
  Bytes coseKey;
  int algorithm = 0;
  bool uvRequired = false;
};

struct ChallengeGrant {
  enum class Purpose { logon, registration };
  Purpose purpose = Purpose::logon;
  std::string user;
  std::string owner;  // the account's stable directory id when the challenge was issued
  std::string service;
  std::vector<AllowedKey> allow;  // logon: the credentials the answer may use
  std::int64_t expiresAt = 0;
  // Registration only: what the admin asked for at fido2_register_begin.
  std::string label;
  bool resident = false;
  std::string uv;  // "required" | "preferred" | "discouraged"
  Bytes userHandle;
};

class ChallengeBook {
 public:
  static constexpr std::size_t kDefaultCapacity = 100000;
  explicit ChallengeBook(std::size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  void put(const Bytes& challenge, ChallengeGrant grant, std::int64_t now);
  // Removes and returns the grant; nullopt when unknown, already taken or expired at `now`.
  std::optional<ChallengeGrant> take(const Bytes& challenge, std::int64_t now);
  std::size_t size() const;
  std::size_t queuedForTest() const;

 private:
  void evict(std::int64_t now);

  mutable std::mutex mutex_;
  std::size_t capacity_;
  std::unordered_map<std::string, ChallengeGrant> open_;
  std::deque<std::string> order_;  // issue order; may name challenges already taken
};

}  // namespace authd
