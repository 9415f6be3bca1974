#pragma once
// Duplicate detection (RFC 5080 §2.2.2): a retransmission, the same source address and port,
// Identifier and Request Authenticator, gets the reply already sent and is never evaluated
// again. With TOTP replay protection, evaluating it twice would turn a lost Accept into a Reject.
// The same address, port and Identifier with a new Request Authenticator is a new request.
//
// Bounded: answered entries leave after `window` seconds, or earlier (oldest first) when the
// cache is full; requests still being evaluated are never evicted (their retransmissions must
// not start a second evaluation), so when only those fill it, a new request is refused (full).
// Thread-safe.

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace authd::radius {

struct RequestKey {
  std::string source;  // the peer's address in a canonical printable form (IPv4-mapped folded)
  std::uint16_t port = 0;
  std::uint8_t identifier = 0;
  std::array<unsigned char, 16> authenticator{};
  auto operator<=>(const RequestKey&) const = default;
};

class DuplicateCache {
 public:
  DuplicateCache(std::size_t maxEntries, std::int64_t windowSeconds);

  enum class Seen {
    kFresh,       // new: registered as in progress, evaluate it, then call finish() or abandon()
    kInProgress,  // a retransmission of a request still being evaluated: drop it
    kAnswered,    // a retransmission: send `reply` again (empty: it was dropped, drop again)
    kFull,        // no room: drop it, counted (the client retransmits later)
  };
  struct Lookup {
    Seen seen = Seen::kFull;
    std::vector<unsigned char> reply;
  };

  // `now` in seconds of a monotonic clock.
  Lookup begin(const RequestKey& key, std::int64_t now);
  // The request was answered with `reply` (empty: it was dropped on purpose): keep it for the
  // window so retransmissions get the same.
  void finish(const RequestKey& key, std::vector<unsigned char> reply, std::int64_t now);
  // The request could not be evaluated (an internal error): forget it, so a retransmission is
  // evaluated afresh.
  void abandon(const RequestKey& key);

  std::size_t sizeForTest() const;

 private:
  struct Entry {
    bool answered = false;
    std::int64_t expires = 0;
    std::vector<unsigned char> reply;
  };
  void expire(std::int64_t now);
  bool evictOneAnswered();

  mutable std::mutex mutex_;
  std::size_t maxEntries_;
  std::int64_t window_;
  std::map<RequestKey, Entry> entries_;
  std::deque<std::pair<std::int64_t, RequestKey>> answeredOrder_;  // (expires, key), oldest first
};

}  // namespace authd::radius
