#pragma once
// One client connection to authd's socket, speaking the protocol's framing: one JSON object per
// line. Throws on I/O errors, unparsable answers and lines over the protocol's limit.

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>

#include "authd/protocol.h"

namespace authd::bench {

class LineConnection {
 public:
  using Socket = boost::asio::local::stream_protocol::socket;

  explicit LineConnection(const boost::asio::any_io_executor& executor) : socket_(executor) {}

  // Connects to authd's socket; throws when it cannot.
  boost::asio::awaitable<void> connect(const boost::asio::local::stream_protocol::endpoint& at) {
    co_await socket_.async_connect(at, boost::asio::use_awaitable);
  }

  // Sends one request line and returns the parsed answer line.
  boost::asio::awaitable<nlohmann::json> call(const nlohmann::json& request) {
    out_ = request.dump();
    out_.push_back('\n');
    co_await boost::asio::async_write(socket_, boost::asio::buffer(out_),
                                      boost::asio::use_awaitable);
    std::size_t n = co_await boost::asio::async_read_until(
        socket_, boost::asio::dynamic_buffer(in_, protocol::kMaxLineBytes), '\n',
        boost::asio::use_awaitable);
    nlohmann::json answer = nlohmann::json::parse(in_.begin(), in_.begin() + (n - 1));
    in_.erase(0, n);
    co_return answer;
  }

  // Overwrites the last request and answer, which may hold a code or an enrolment secret.
  void wipe() {
    explicit_bzero(out_.data(), out_.size());
    explicit_bzero(in_.data(), in_.size());
  }

  ~LineConnection() { wipe(); }
  LineConnection(const LineConnection&) = delete;
  LineConnection& operator=(const LineConnection&) = delete;

 private:
  Socket socket_;
  std::string out_;
  std::string in_;
};

}  // namespace authd::bench
