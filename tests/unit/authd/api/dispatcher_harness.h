#pragma once
// A dispatcher over a real SQLite store in a temporary directory, an injected clock and an
// in-memory account list: the protocol as a client sees it. Shared by the dispatcher tests.

#include <doctest/doctest.h>

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <cstring>
#include <filesystem>
#include <map>
#include <thread>

#include "authd/api/dispatcher.h"
#include "authd/daemon/offline_key.h"
#include "authd/store/store_sqlite.h"

namespace authd::testing {

using nlohmann::json;
namespace asio = boost::asio;

// Accounts held in memory: alice and bob (staff), admin (authd-admin). Tests add accounts,
// groups, disabled flags and directory passwords, or take the directory down.
class StaticDirectory final : public Directory {
 public:
  StaticDirectory() {
    add("alice", 1000, {"staff"});
    add("bob", 1000, {"staff"});
    add("admin", 1001, {"authd-admin"});
  }
  Account& add(const std::string& name, uid_t uid, std::vector<std::string> groups) {
    Account& a = accounts[name];
    a.name = name;
    a.uid = uid;
    a.id = "test:" + name;
    a.groups = std::move(groups);
    return a;
  }
  std::optional<Account> findUser(const std::string& name) override {
    if (down) throw DirectoryError("no directory server answered");
    auto it = accounts.find(name);
    if (it == accounts.end()) return std::nullopt;
    return it->second;
  }
  std::optional<Account> findUid(uid_t uid) override {
    auto it = uidNames.find(uid);
    if (it == uidNames.end()) return std::nullopt;
    return findUser(it->second);
  }
  // As a directory cache holding every account would answer, when `atHand` is set.
  bool findUserAtHand(const std::string& name, std::optional<Account>& found) override {
    if (!atHand || down) return false;
    ++atHandAnswers;
    auto it = accounts.find(name);
    found = it == accounts.end() ? std::nullopt : std::optional<Account>(it->second);
    return true;
  }
  PasswordCheck checkPassword(const Account& account, std::string_view password) override {
    ++passwordChecks;
    if (down) throw DirectoryError("no directory server answered");
    auto it = passwords.find(account.name);
    if (it == passwords.end()) return PasswordCheck::unsupported;
    return !password.empty() && password == it->second ? PasswordCheck::accepted
                                                       : PasswordCheck::rejected;
  }

  std::map<std::string, Account> accounts;
  std::map<uid_t, std::string> uidNames{{1000, "alice"}, {1001, "admin"}};  // socket peers
  std::map<std::string, std::string> passwords;
  std::atomic<bool> down{false};
  std::atomic<int> passwordChecks{0};
  std::atomic<bool> atHand{false};
  std::atomic<int> atHandAnswers{0};
};

inline SecretBytes fixedKey() {
  SecretBytes key(SecretBox::kKeyBytes);
  std::memset(key.data(), 0x5a, key.size());
  return key;
}

struct Harness {
  Harness() {
    char tmpl[] = "/tmp/authd-dispatch-XXXXXX";
    dir = ::mkdtemp(tmpl);
    config.lockout = {3, 60, 240};
    store = std::make_unique<SqliteStore>(SqliteOptions{dir + "/authd.db", 64, 5000});
    dispatcher =
        std::make_unique<Dispatcher>(Core{*store, directory, box, [this] { return now.load(); },
                                          systemRandom(), config, pool, fido2, offlineKey.get()});
    runner = std::thread([this] { io.run(); });
  }
  ~Harness() {
    guard.reset();
    runner.join();
    pool.join();
    store->close();
    std::filesystem::remove_all(dir);
  }

  json raw(const std::string& line, PeerCredentials peer = {0, 0, 42}) {
    auto future = asio::co_spawn(io, dispatcher->handle(line, peer), asio::use_future);
    std::string response = future.get();
    REQUIRE(response.find('\n') == std::string::npos);
    return json::parse(response);
  }
  json call(json request, PeerCredentials peer = {0, 0, 42}) {
    request["v"] = 1;
    if (!request.contains("id")) request["id"] = 7;
    return raw(request.dump(), peer);
  }

  // Enrols an active credential and returns its secret.
  SecretBytes enroll(const std::string& user) {
    json r = call({{"op", "enroll_totp"}, {"user", user}, {"confirm", false}});
    REQUIRE(r["ok"] == true);
    std::string b32 = r["secret"];
    return decodeBase32(b32);
  }
  static SecretBytes decodeBase32(const std::string& b32);

  json verify(const std::string& user, const std::string& code) {
    return call({{"op", "verify"},
                 {"user", user},
                 {"factor", "totp"},
                 {"code", code},
                 {"service", "test"}});
  }

  std::string lastAuditReason(const std::string& user) {
    json a = call({{"op", "audit"}, {"user", user}, {"limit", 1}});
    return a["events"][0]["reason"];
  }

  std::string dir;
  Config config;
  StaticDirectory directory;
  SecretBox box{fixedKey(), systemRandom()};
  std::atomic<std::int64_t> now{1'700'000'000};
  asio::thread_pool pool{2};
  Fido2Context fido2;
  // authd's offline signing key: entries are issued only when a test's policy allows them.
  OfflineSigningKey offlineKey{EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")};
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
  std::unique_ptr<SqliteStore> store;
  std::unique_ptr<Dispatcher> dispatcher;
  std::thread runner;
};

inline SecretBytes Harness::decodeBase32(const std::string& b32) {
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  SecretBytes out(b32.size() * 5 / 8);
  std::size_t bits = 0, value = 0, n = 0;
  for (char c : b32) {
    value = (value << 5) | alphabet.find(c);
    bits += 5;
    if (bits >= 8) {
      out.data()[n++] = static_cast<unsigned char>((value >> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return out;
}

}  // namespace authd::testing
