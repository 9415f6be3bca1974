#pragma once
// Bridges between the event loop and blocking work: offload() runs a function on the worker pool
// and resumes the coroutine with its result; asyncWrite() queues a store transaction and resumes
// once it is durable. The I/O threads never wait on the directory or on the writer; indexed reads
// of the local database and CPU work run in place (docs/architecture.md).

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <type_traits>

#include "authd/store/store.h"

namespace authd {

namespace asio = boost::asio;

template <typename Fn>
asio::awaitable<std::invoke_result_t<Fn>> offload(asio::thread_pool& pool, Fn fn) {
  using R = std::invoke_result_t<Fn>;
  co_return co_await asio::co_spawn(
      pool, [fn = std::move(fn)]() mutable -> asio::awaitable<R> { co_return fn(); },
      asio::use_awaitable);
}

// Completes with true once the work is committed durably, false when it was rolled back.
// Takes the work by reference: callers must name it (see the GCC 12 note in logon_pipeline.cpp).
template <typename Token>
auto asyncWrite(Store& store, const Store::TxnWork& work, Token&& token) {
  return asio::async_initiate<Token, void(bool)>(
      [&store](auto handler, Store::TxnWork txnWork) {
        auto executor = asio::get_associated_executor(handler);
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        store.write(std::move(txnWork), [shared, executor](bool ok) {
          asio::post(executor, [shared, ok]() mutable { (*shared)(ok); });
        });
      },
      token, work);
}

}  // namespace authd
