#include "authd/logon/challenge_book.h"

#include <algorithm>

#include "authd/base/op_error.h"
#include "authd/protocol.h"

namespace authd {

namespace {

std::string keyOf(const Bytes& challenge) {
  return std::string(challenge.begin(), challenge.end());
}

std::string accountOf(const ChallengeGrant& grant) {
  return grant.owner.empty() ? "name:" + grant.user : grant.owner;
}

}  // namespace

void issueChallenge(ChallengeBook& book, const Bytes& challenge, ChallengeGrant grant,
                    std::int64_t now) {
  switch (book.put(challenge, std::move(grant), now)) {
    case ChallengeBook::Put::stored:
      return;
    case ChallengeBook::Put::callerQuota:
      throw OpError(protocol::error::kBusy,
                    "too many open security-key challenges for this caller; try again shortly");
    case ChallengeBook::Put::full:
      break;
  }
  throw OpError(protocol::error::kBusy, "too many open security-key challenges; try again shortly");
}

ChallengeBook::Put ChallengeBook::put(const Bytes& challenge, ChallengeGrant grant,
                                      std::int64_t now) {
  std::lock_guard lock(mutex_);
  dropStale(now);
  std::string key = keyOf(challenge);
  if (auto same = open_.find(key); same != open_.end()) erase(same);
  if (grant.issuerUid != 0) {
    auto caller = byCaller_.find(grant.issuerUid);
    if (caller != byCaller_.end() && caller->second >= limits_.perCaller) return Put::callerQuota;
  }
  // A new challenge of an account replaces its own oldest one, never another account's.
  const std::string account = accountOf(grant);
  for (auto mine = byAccount_.find(account);
       mine != byAccount_.end() && mine->second.size() >= limits_.perAccount;
       mine = byAccount_.find(account)) {
    erase(open_.find(mine->second.front()));
  }
  if (open_.size() >= limits_.capacity) return Put::full;
  if (grant.issuerUid != 0) ++byCaller_[grant.issuerUid];
  byAccount_[account].push_back(key);
  order_.push_back(key);
  open_.emplace(std::move(key), std::move(grant));
  return Put::stored;
}

std::optional<ChallengeGrant> ChallengeBook::take(const Bytes& challenge, std::int64_t now) {
  std::lock_guard lock(mutex_);
  auto it = open_.find(keyOf(challenge));
  if (it == open_.end()) return std::nullopt;
  auto node = open_.extract(it);  // moved out, not copied: the grant holds the allowed keys
  unindex(node.key(), node.mapped());
  if (now >= node.mapped().expiresAt) return std::nullopt;
  return std::move(node.mapped());
}

std::size_t ChallengeBook::size() const {
  std::lock_guard lock(mutex_);
  return open_.size();
}

std::size_t ChallengeBook::queuedForTest() const {
  std::lock_guard lock(mutex_);
  return order_.size();
}

// Removes an open challenge from the per-account and per-caller indexes; the issue queue is
// cleaned by dropStale().
void ChallengeBook::unindex(const std::string& key, const ChallengeGrant& grant) {
  auto mine = byAccount_.find(accountOf(grant));
  if (mine != byAccount_.end()) {
    std::erase(mine->second, key);
    if (mine->second.empty()) byAccount_.erase(mine);
  }
  if (grant.issuerUid != 0) {
    auto caller = byCaller_.find(grant.issuerUid);
    if (caller != byCaller_.end() && --caller->second == 0) byCaller_.erase(caller);
  }
}

void ChallengeBook::erase(OpenMap::iterator it) {
  unindex(it->first, it->second);
  open_.erase(it);
}

// Drops expired or taken entries from the front of the issue queue. Challenges expire in issue
// order (one TTL), so the front holds the oldest; when taken entries pile up behind a live one,
// the queue is compacted, so it never holds more than twice the open challenges (plus one).
void ChallengeBook::dropStale(std::int64_t now) {
  while (!order_.empty()) {
    auto it = open_.find(order_.front());
    if (it != open_.end() && now < it->second.expiresAt) break;
    if (it != open_.end()) erase(it);
    order_.pop_front();
  }
  if (order_.size() > 2 * open_.size() + 1) {
    std::erase_if(order_, [this](const std::string& key) { return !open_.contains(key); });
  }
}

}  // namespace authd
