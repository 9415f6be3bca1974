#pragma once
// What a device's agent does with a request line from its local socket: the local trust rule
// first (a local caller other than root or a service account acts only for its own account,
// caller_roles.h), since the central authd trusts the device to have applied it; then the line
// goes to the central authd unchanged, and its answer comes back unchanged. Admin operations
// are not forwarded: the device's certificate may not administer (authctl --server does).

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <boost/asio/thread_pool.hpp>

#include "authd/agent/upstream.h"
#include "authd/api/caller_limits.h"
#include "authd/api/line_handler.h"
#include "authd/base/config.h"
#include "authd/directory/directory.h"

namespace authd {

class AgentHandler final : public LineHandler {
 public:
  AgentHandler(Upstream& upstream, Directory& directory, boost::asio::thread_pool& pool,
               const Config& config);

  boost::asio::awaitable<std::string> handle(std::string_view line, PeerCredentials peer) override;

 private:
  Upstream& upstream_;
  Directory& directory_;
  boost::asio::thread_pool& pool_;
  const Config& config_;
  RequestRate rate_;
};

}  // namespace authd
