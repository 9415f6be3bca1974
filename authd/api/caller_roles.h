#pragma once
// Who may call what (docs/protocol.md, "Who may call what"): the access class of every
// operation, a caller's roles, and the one rule that decides. authd's dispatcher and a device's
// agent (which applies the local rule before anything reaches the central authd) both use it.

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "authd/api/line_handler.h"
#include "authd/base/config.h"
#include "authd/directory/directory.h"

namespace authd {

enum class Access {
  anyone,   // ping
  account,  // for the caller's own account; root, service accounts and devices for any
  admin,    // root, server.admin_group, admin certificates
  device,   // a device's agent over TLS (a certificate not in tls.admins)
};

// The access class of an operation; nullopt for an operation authd does not have.
std::optional<Access> accessOf(std::string_view op);

struct CallerRoles {
  std::string name;  // login name of a local uid; empty when unknown or a network peer
  bool admin = false;
  bool service = false;  // may act for any account
  bool device = false;   // a device's certificate
};

// A network peer's roles come from its certificate; a local peer's from the local system's
// view of its uid (NSS or the configured directory), whatever the directory backend.
boost::asio::awaitable<CallerRoles> rolesOf(const PeerCredentials& peer, Directory& directory,
                                            boost::asio::thread_pool& pool,
                                            const Config::Server& server);

// The account a request acts for: its "user" string, nullptr when it names none.
const std::string* requestedUser(const nlohmann::json& request);

// Why `roles` may not call an operation of class `access` for `requestedUser` (nullptr: the
// request names none); empty when it may. The same words whatever account was named.
std::string_view accessRefusal(Access access, const CallerRoles& roles,
                               const std::string* requestedUser);

}  // namespace authd
