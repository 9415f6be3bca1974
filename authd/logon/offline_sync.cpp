#include "authd/logon/offline_sync.h"

#include <algorithm>
#include <map>

#include "authd/admin/admin.h"  // commitDurably
#include "authd/base/async.h"
#include "authd/logon/account_gate.h"

namespace authd {

namespace {

// What authd knows of one account named by the device.
struct AccountView {
  std::optional<Account> account;
  bool offlineAllowed = false;                // open for FIDO2, policy allows offline
  std::vector<OfflineGrant> grants;           // its rows at this device
  std::vector<CredentialRecord> credentials;  // for the audit's credential id
};

AccountView viewOf(const Core& core, const std::string& user, const std::string& device) {
  AccountView view;
  AccountGate gate = admitAccount(core, core.directory.findUser(user), Factor::fido2);
  if (!gate.account) return view;
  view.account = gate.account;
  view.offlineAllowed = gate.open() && gate.policy.offlineAllowed;
  for (auto& g : core.store.offlineGrants(principalOf(*gate.account))) {
    if (g.device == device && g.owner == gate.account->id) view.grants.push_back(std::move(g));
  }
  view.credentials = core.store.credentials(principalOf(*gate.account));
  return view;
}

bool stands(const AccountView& view, const OfflineHeldEntry& held, std::int64_t now) {
  if (!view.offlineAllowed) return false;
  return std::any_of(view.grants.begin(), view.grants.end(), [&](const OfflineGrant& g) {
    return g.issued == held.issued && !g.revoked && g.expires > now;
  });
}

// How far a reported counter may be ahead of the stored one. A device certificate must not be
// able to push another account's counter so far that its real key looks like a clone.
constexpr std::int64_t kMaxCounterJump = std::int64_t{1} << 24;

const CredentialRecord* keyOf(const AccountView& view, const Bytes& credentialId) {
  for (const auto& c : view.credentials) {
    if (c.fido2 && c.fido2->credentialId == credentialId) return &c;
  }
  return nullptr;
}

// A reported time is the device's clock: never later than authd's. Reports of an account this
// device was never issued an entry for, or of a key authd does not know, are audited as
// unvouched and change nothing.
AuditEvent offlineLogonEvent(const Caller& caller, const OfflineLogonReport& logon,
                             const AccountView& view, const CredentialRecord* key,
                             std::int64_t now) {
  AuditEvent e = callerAuditEvent(caller, std::min(logon.time, now), logon.user, "offline_logon");
  e.factor = "fido2";
  e.result = "accept";
  e.reason = "offline";
  if (key != nullptr) e.credentialId = key->id;
  if (!view.account || view.grants.empty() || key == nullptr) {
    e.result = "error";
    e.reason = "offline_unvouched";
  } else if (logon.signCount > std::int64_t{key->fido2->signCount} + kMaxCounterJump) {
    e.reason = "offline_counter_jump";
  }
  return e;
}

}  // namespace

boost::asio::awaitable<OfflineSyncAnswer> syncOfflineEntries(const Core& core,
                                                             OfflineSyncRequest request,
                                                             const Caller& caller) {
  const std::int64_t now = core.clock();
  OfflineSyncAnswer answer;
  std::vector<AuditEvent> events;
  struct Raise {
    std::int64_t row;
    Principal who;
    std::uint32_t count;
  };
  std::vector<Raise> raises;            // counters the keys used offline reached
  std::vector<OfflineGrant> withdrawn;  // rows of entries the device is told to drop
  auto decide = [&] {
    std::map<std::string, AccountView> views;
    auto view = [&](const std::string& user) -> const AccountView& {
      auto it = views.find(user);
      if (it == views.end()) it = views.emplace(user, viewOf(core, user, caller.device)).first;
      return it->second;
    };
    for (const auto& held : request.entries) {
      const AccountView& v = view(held.user);
      if (stands(v, held, now)) {
        answer.keep.push_back(held.user);
      } else {
        withdrawn.insert(withdrawn.end(), v.grants.begin(), v.grants.end());
      }
    }
    for (const auto& logon : request.logons) {
      const AccountView& v = view(logon.user);
      const CredentialRecord* key = keyOf(v, logon.credentialId);
      events.push_back(offlineLogonEvent(caller, logon, v, key, now));
      if (events.back().reason == "offline") {
        raises.push_back(
            {key->id, principalOf(*v.account), static_cast<std::uint32_t>(logon.signCount)});
      }
    }
  };
  co_await offload(core.blocking, decide);
  Store::TxnWork record = [&](StoreTxn& txn) {
    for (const auto& g : withdrawn) txn.dropOfflineGrant(g.owner, g.device);
    for (const auto& e : events) txn.appendAudit(e);
    // So that a copy of a key used offline is caught online too.
    for (const auto& r : raises) txn.raiseSignCount(r.row, r.who, r.count);
  };
  co_await commitDurably(core.store, record);
  answer.logonsRecorded = events.size();
  co_return answer;
}

}  // namespace authd
