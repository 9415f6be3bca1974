#include "authd/api/caller_roles.h"

#include <array>

#include "authd/directory/account_lookup.h"
#include "authd/logon/policy.h"

namespace authd {

namespace {

struct OperationAccess {
  std::string_view op;
  Access access;
};

constexpr std::array kOperationAccess = {
    OperationAccess{"ping", Access::anyone},
    OperationAccess{"factors", Access::account},
    OperationAccess{"verify", Access::account},
    OperationAccess{"fido2_begin", Access::account},
    OperationAccess{"enroll_totp", Access::admin},
    OperationAccess{"confirm_totp", Access::admin},
    OperationAccess{"list", Access::admin},
    OperationAccess{"show", Access::admin},
    OperationAccess{"revoke", Access::admin},
    OperationAccess{"unlock", Access::admin},
    OperationAccess{"audit", Access::admin},
    OperationAccess{"fido2_register_begin", Access::admin},
    OperationAccess{"fido2_register_finish", Access::admin},
    OperationAccess{"fido2_reinstate", Access::admin},
    OperationAccess{"offline_revoke", Access::admin},
    OperationAccess{"offline_sync", Access::device},
    OperationAccess{"sessions", Access::admin},
};

}  // namespace

std::optional<Access> accessOf(std::string_view op) {
  for (const auto& entry : kOperationAccess) {
    if (entry.op == op) return entry.access;
  }
  return std::nullopt;
}

boost::asio::awaitable<CallerRoles> rolesOf(const PeerCredentials& peer, Directory& directory,
                                            boost::asio::thread_pool& pool,
                                            const Config::Server& server) {
  if (!peer.certificateName.empty()) {
    co_return CallerRoles{"", peer.certificateAdmin, !peer.certificateAdmin,
                          !peer.certificateAdmin};
  }
  if (peer.uid == 0) co_return CallerRoles{"root", true, true, false};
  if (peer.uid < 0) co_return CallerRoles{};
  auto rolesFor = [&server](std::optional<Account> account) {
    CallerRoles roles;
    if (!account) return roles;
    roles.name = account->name;
    roles.admin = !server.adminGroup.empty() && inGroup(*account, server.adminGroup);
    roles.service = !server.serviceGroup.empty() && inGroup(*account, server.serviceGroup);
    return roles;
  };
  co_return co_await withUid(directory, pool, static_cast<uid_t>(peer.uid), rolesFor);
}

const std::string* requestedUser(const nlohmann::json& request) {
  auto it = request.find("user");
  return it != request.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

std::string_view accessRefusal(Access access, const CallerRoles& roles,
                               const std::string* requestedUser) {
  if (access == Access::admin && !roles.admin) {
    return "this operation needs root or the admin group";
  }
  if (access == Access::device && !roles.device) {
    return "this operation is for the agents of devices over TLS";
  }
  if (access == Access::account && !roles.service &&
      (requestedUser == nullptr || roles.name.empty() || *requestedUser != roles.name)) {
    return "you may only use this operation for your own account";
  }
  return {};
}

}  // namespace authd
