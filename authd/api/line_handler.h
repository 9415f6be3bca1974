#pragma once
// What a listener hands each request line to: the dispatcher in authd, the forwarder in a
// device's agent. Exactly one response line (without the newline) per request line.

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace authd {

// Who is at the other end of a connection: a local process (SO_PEERCRED) or a network peer
// identified by its client certificate (TLS listener).
struct PeerCredentials {
  PeerCredentials() = default;
  PeerCredentials(std::int64_t uid_, std::int64_t gid_, std::int64_t pid_)
      : uid(uid_), gid(gid_), pid(pid_) {}

  std::int64_t uid = -1;
  std::int64_t gid = -1;
  std::int64_t pid = -1;
  std::string certificateName;    // the verified certificate's name; "" for local callers
  bool certificateAdmin = false;  // tls.admins lists it: an admin, not a device
  std::int64_t rateKey = -1;      // the request-rate bucket of a network peer (below -1)
};

class LineHandler {
 public:
  virtual ~LineHandler() = default;
  virtual boost::asio::awaitable<std::string> handle(std::string_view line,
                                                     PeerCredentials peer) = 0;
};

}  // namespace authd
