#include "authd/directory_cache.h"

#include <mutex>
#include <unordered_map>

namespace authd {

namespace {

template <typename Key>
class TimedMap {
 public:
  // The cached answer, or nullptr when absent or expired.
  const std::optional<Account>* find(const Key& key, std::int64_t now) const {
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.expires <= now) return nullptr;
    return &it->second.account;
  }
  void put(const Key& key, std::optional<Account> account, std::int64_t expires,
           std::size_t maxEntries) {
    if (entries_.size() >= maxEntries) entries_.clear();
    entries_[key] = Entry{std::move(account), expires};
  }

 private:
  struct Entry {
    std::optional<Account> account;
    std::int64_t expires = 0;
  };
  std::unordered_map<Key, Entry> entries_;
};

class CachingDirectory final : public Directory {
 public:
  CachingDirectory(std::unique_ptr<Directory> inner, Clock clock, DirectoryCacheOptions options)
      : inner_(std::move(inner)), clock_(std::move(clock)), options_(options) {}

  std::optional<Account> findUser(const std::string& name) override {
    return lookup(byName_, name, [&] { return inner_->findUser(name); });
  }
  std::optional<Account> findUid(uid_t uid) override {
    return lookup(byUid_, uid, [&] { return inner_->findUid(uid); });
  }
  // Never cached: a password answer must come from the directory each time.
  PasswordCheck checkPassword(const Account& account, std::string_view password) override {
    return inner_->checkPassword(account, password);
  }

 private:
  template <typename Key, typename Fetch>
  std::optional<Account> lookup(TimedMap<Key>& map, const Key& key, Fetch fetch) {
    const std::int64_t now = clock_();
    {
      std::lock_guard lock(mutex_);
      if (const auto* hit = map.find(key, now)) return *hit;
    }
    std::optional<Account> account = fetch();  // outside the lock: it may block
    const int ttl = account ? options_.ttlSeconds : options_.negativeTtlSeconds;
    if (ttl <= 0) return account;
    std::lock_guard lock(mutex_);
    map.put(key, account, now + ttl, options_.maxEntries);
    return account;
  }

  std::unique_ptr<Directory> inner_;
  Clock clock_;
  DirectoryCacheOptions options_;
  std::mutex mutex_;
  TimedMap<std::string> byName_;
  TimedMap<uid_t> byUid_;
};

}  // namespace

std::unique_ptr<Directory> makeCachingDirectory(std::unique_ptr<Directory> inner, Clock clock,
                                                DirectoryCacheOptions options) {
  if (options.ttlSeconds <= 0 && options.negativeTtlSeconds <= 0) return inner;
  return std::make_unique<CachingDirectory>(std::move(inner), std::move(clock), options);
}

}  // namespace authd
