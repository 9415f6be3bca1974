#pragma once
// Open FIDO2 challenges: each is single use (take() removes it whatever happens next), bound to
// the user, service and allow list it was issued for, and expires after its TTL. Kept in memory
// and bounded by quotas, so that no caller can push out another account's open challenge: an
// account holds a few (a new one replaces its own oldest), a caller other than root a bounded
// number, and a full book refuses new challenges instead of evicting open ones.
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
  std::uint32_t signCount = 0;  // as stored when the challenge was issued
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
  std::int64_t issuerUid = 0;  // the socket peer that asked for it (per-caller quota)
};

class ChallengeBook {
 public:
  struct Limits {
    std::size_t capacity = 100000;  // open challenges in all
    std::size_t perAccount = 8;     // open challenges of one account (grant.owner, else user)
    std::size_t perCaller = 1024;   // open challenges issued to one uid other than root
  };
  enum class Put { stored, callerQuota, full };

  ChallengeBook() : ChallengeBook(Limits{}) {}
  explicit ChallengeBook(Limits limits) : limits_(limits) {}

  [[nodiscard]] Put put(const Bytes& challenge, ChallengeGrant grant, std::int64_t now);
  // Removes and returns the grant; nullopt when unknown, already taken or expired at `now`.
  std::optional<ChallengeGrant> take(const Bytes& challenge, std::int64_t now);
  std::size_t size() const;
  std::size_t queuedForTest() const;

 private:
  using OpenMap = std::unordered_map<std::string, ChallengeGrant>;
  void dropStale(std::int64_t now);
  void unindex(const std::string& key, const ChallengeGrant& grant);
  void erase(OpenMap::iterator it);

  mutable std::mutex mutex_;
  Limits limits_;
  OpenMap open_;
  std::deque<std::string> order_;  // issue order; may name challenges already taken
  std::unordered_map<std::string, std::deque<std::string>> byAccount_;  // open, oldest first
  std::unordered_map<std::int64_t, std::size_t> byCaller_;              // open, uid != 0
};

// Stores a challenge issued to a client; throws OpError(busy) when the book refuses it.
void issueChallenge(ChallengeBook& book, const Bytes& challenge, ChallengeGrant grant,
                    std::int64_t now);

}  // namespace authd
