#pragma once
// Where a directory answer is used: in place when the directory has it at hand (a fresh cache
// entry: nothing can block), else looked up on the worker pool, where a directory call may wait.
// One rule for every caller, so that no path blocks an I/O thread on the directory.

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <optional>
#include <string>
#include <type_traits>

#include "authd/base/async.h"
#include "authd/directory/directory.h"

namespace authd {

// `use(account)` with the account named `name` (nullopt: no such account), handed over as an
// rvalue. `inPlace` false
// always goes to the pool: for work that itself asks the directory (a password check).
// Callers pass a named lambda (GCC 12 destroys a capturing lambda written inside co_await twice).
template <typename Use>
boost::asio::awaitable<std::invoke_result_t<Use, std::optional<Account>&&>> withUser(
    Directory& directory, boost::asio::thread_pool& pool, const std::string& name, Use use,
    bool inPlace = true) {
  std::optional<Account> account;
  if (inPlace && directory.findUserAtHand(name, account)) co_return use(std::move(account));
  auto lookUp = [&] { return use(directory.findUser(name)); };
  co_return co_await offload(pool, lookUp);
}

// The same for the local account of a uid (socket peers).
template <typename Use>
boost::asio::awaitable<std::invoke_result_t<Use, std::optional<Account>&&>> withUid(
    Directory& directory, boost::asio::thread_pool& pool, uid_t uid, Use use) {
  std::optional<Account> account;
  if (directory.findUidAtHand(uid, account)) co_return use(std::move(account));
  auto lookUp = [&] { return use(directory.findUid(uid)); };
  co_return co_await offload(pool, lookUp);
}

}  // namespace authd
