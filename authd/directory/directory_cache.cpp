#include "authd/directory/directory_cache.h"

#include <list>
#include <mutex>
#include <unordered_map>

namespace authd {

namespace {

// Answers with their expiry, bounded by evicting the least recently used: a flood of new names
// (an enumeration, a typo storm) pushes out names nobody uses, not the accounts logging on now.
// All O(1): the list keeps the use order (front = most recent), the map points into it.
template <typename Key>
class LruTimedMap {
 public:
  explicit LruTimedMap(std::size_t maxEntries) : maxEntries_(maxEntries) {}

  // The cached answer, or nullptr when absent or expired. A hit becomes the most recent entry.
  const std::optional<Account>* find(const Key& key, std::int64_t now) {
    auto it = index_.find(key);
    if (it == index_.end() || it->second->expires <= now) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return &it->second->account;
  }
  void put(const Key& key, std::optional<Account> account, std::int64_t expires) {
    if (maxEntries_ == 0) return;
    if (auto it = index_.find(key); it != index_.end()) {
      it->second->account = std::move(account);
      it->second->expires = expires;
      order_.splice(order_.begin(), order_, it->second);
      return;
    }
    if (index_.size() >= maxEntries_) {
      index_.erase(order_.back().key);
      order_.pop_back();
    }
    order_.push_front(Entry{key, std::move(account), expires});
    index_.emplace(key, order_.begin());
  }

 private:
  struct Entry {
    Key key;
    std::optional<Account> account;
    std::int64_t expires = 0;
  };
  std::size_t maxEntries_;
  std::list<Entry> order_;
  std::unordered_map<Key, typename std::list<Entry>::iterator> index_;
};

class CachingDirectory final : public Directory {
 public:
  CachingDirectory(std::unique_ptr<Directory> inner, Clock clock, DirectoryCacheOptions options)
      : inner_(std::move(inner)),
        clock_(std::move(clock)),
        options_(options),
        byName_(options.maxEntries),
        byUid_(options.maxEntries) {}

  std::optional<Account> findUser(const std::string& name) override {
    return lookup(byName_, name, [&] { return inner_->findUser(name); });
  }
  std::optional<Account> findUid(uid_t uid) override {
    return lookup(byUid_, uid, [&] { return inner_->findUid(uid); });
  }
  bool findUserAtHand(const std::string& name, std::optional<Account>& found) override {
    return atHand(byName_, name, found);
  }
  bool findUidAtHand(uid_t uid, std::optional<Account>& found) override {
    return atHand(byUid_, uid, found);
  }
  // Never cached: a password answer must come from the directory each time.
  PasswordCheck checkPassword(const Account& account, std::string_view password) override {
    return inner_->checkPassword(account, password);
  }
  // Asked at start-up only: never cached.
  std::optional<Group> findGroup(const std::string& name) override {
    return inner_->findGroup(name);
  }

 private:
  template <typename Key>
  bool atHand(LruTimedMap<Key>& map, const Key& key, std::optional<Account>& found) {
    const std::int64_t now = clock_();
    std::lock_guard lock(mutex_);
    const auto* hit = map.find(key, now);
    if (hit == nullptr) return false;
    found = *hit;
    return true;
  }

  template <typename Key, typename Fetch>
  std::optional<Account> lookup(LruTimedMap<Key>& map, const Key& key, Fetch fetch) {
    const std::int64_t now = clock_();
    {
      std::lock_guard lock(mutex_);
      if (const auto* hit = map.find(key, now)) return *hit;
    }
    std::optional<Account> account = fetch();  // outside the lock: it may block
    const int ttl = account ? options_.ttlSeconds : options_.negativeTtlSeconds;
    if (ttl <= 0) return account;
    std::lock_guard lock(mutex_);
    map.put(key, account, now + ttl);
    return account;
  }

  std::unique_ptr<Directory> inner_;
  Clock clock_;
  DirectoryCacheOptions options_;
  std::mutex mutex_;
  LruTimedMap<std::string> byName_;
  LruTimedMap<uid_t> byUid_;
};

}  // namespace

std::unique_ptr<Directory> makeCachingDirectory(std::unique_ptr<Directory> inner, Clock clock,
                                                DirectoryCacheOptions options) {
  if (options.ttlSeconds <= 0 && options.negativeTtlSeconds <= 0) return inner;
  return std::make_unique<CachingDirectory>(std::move(inner), std::move(clock), options);
}

}  // namespace authd
