#pragma once
// One connection of a listener, whatever carries it (a Unix socket, TLS over TCP): request lines
// read with the protocol's cap, each answered by the line handler, the connection closed when it
// stays idle past its deadline. The listeners differ in how they accept and whom they see; the
// reading and answering exist once, here.

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <openssl/crypto.h>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "authd/api/line_handler.h"
#include "authd/base/log.h"
#include "authd/protocol.h"
#include "authd/wipe.h"

namespace authd {

// The answer to a line longer than protocol::kMaxLineBytes, newline included.
std::string tooLargeLineAnswer();

template <typename Stream>
struct LineSession {
  LineSession(Stream s, std::chrono::seconds idleTimeout)
      : stream(std::move(s)), timer(stream.get_executor()), idle(idleTimeout) {
    touch();
  }
  void touch() { deadline = std::chrono::steady_clock::now() + idle; }
  void touch(std::chrono::seconds within) { deadline = std::chrono::steady_clock::now() + within; }
  bool open() { return stream.lowest_layer().is_open(); }
  void close() {
    boost::system::error_code ignored;
    stream.lowest_layer().close(ignored);
    timer.cancel();
  }

  Stream stream;
  boost::asio::steady_timer timer;
  std::chrono::seconds idle;
  std::chrono::steady_clock::time_point deadline;
};

// Closes the session's connection when it passes its deadline; ends when the connection closes.
template <typename Stream>
boost::asio::awaitable<void> closeWhenIdle(std::shared_ptr<LineSession<Stream>> session) {
  namespace asio = boost::asio;
  boost::system::error_code ec;
  while (session->open()) {
    session->timer.expires_at(session->deadline);
    co_await session->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted && !session->open()) co_return;
    if (std::chrono::steady_clock::now() >= session->deadline) {
      session->close();
      co_return;
    }
  }
}

// Answers request lines until the peer closes, errs, sends an over-long line or stays idle.
template <typename Stream>
boost::asio::awaitable<void> answerLines(LineSession<Stream>& session, LineHandler& handler,
                                         const PeerCredentials& peer) {
  namespace asio = boost::asio;
  std::string buffer;
  try {
    for (;;) {
      boost::system::error_code ec;
      const std::size_t n = co_await asio::async_read_until(
          session.stream, asio::dynamic_buffer(buffer, protocol::kMaxLineBytes), '\n',
          asio::redirect_error(asio::use_awaitable, ec));
      if (ec == asio::error::not_found) {
        const std::string tooLarge = tooLargeLineAnswer();
        co_await asio::async_write(session.stream, asio::buffer(tooLarge),
                                   asio::redirect_error(asio::use_awaitable, ec));
        break;
      }
      if (ec) break;
      std::string reply = co_await handler.handle(std::string_view(buffer.data(), n - 1), peer);
      OPENSSL_cleanse(buffer.data(), n);  // the line may hold a code
      buffer.erase(0, n);
      std::string response = takeLine(reply);  // no reallocation leaves an unwiped copy
      co_await asio::async_write(session.stream, asio::buffer(response),
                                 asio::redirect_error(asio::use_awaitable, ec));
      OPENSSL_cleanse(response.data(), response.size());  // may hold an enrolment secret
      if (ec) break;
      session.touch();
    }
  } catch (const std::exception& e) {
    log::error(std::string("connection: ") + e.what());
  }
  OPENSSL_cleanse(buffer.data(), buffer.size());
}

}  // namespace authd
