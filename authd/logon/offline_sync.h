#pragma once
// A device's agent back in contact (docs/offline.md, "Back online"): it names the offline entries
// it holds and the offline logons it saw. authd audits each logon with the device and its time,
// raises the key's stored counter to the one used offline (never lowers it or marks a clone: the
// report may come after later online logons), and answers which entries it still vouches for; the agent drops the others. An entry stands
// only while its grant row is the one issued (same issue time), not withdrawn, not expired, the
// account is open for FIDO2 and its policy still allows offline logon.

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "authd/api/requests.h"
#include "authd/base/core.h"

namespace authd {

struct OfflineSyncAnswer {
  std::vector<std::string> keep;  // users whose entries at this device still stand
  std::size_t logonsRecorded = 0;
};

// `caller.device` names the device. Throws StoreError when the audit could not be stored (the
// agent keeps its reports and sends them again).
boost::asio::awaitable<OfflineSyncAnswer> syncOfflineEntries(const Core& core,
                                                             OfflineSyncRequest request,
                                                             const Caller& caller);

}  // namespace authd
