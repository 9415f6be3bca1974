#pragma once
// What a device's agent keeps for offline FIDO2 logon (docs/offline.md): one directory, root's
// and 0700, holding per user the signed entry exactly as the central authd sent it (H.entry) and
// the agent's own state (H.state: the counters seen offline and the offline logons not yet
// reported), H being the hex SHA-256 of the login name. An entry is stored only once its
// signature, device and validity hold, and checked again whenever it is used. Files are replaced
// atomically (base/atomic_file.h). Used from the agent's one I/O thread.

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authd/base64url.h"
#include "authd/offline_entry.h"

namespace authd {

struct OfflineLogonRecord {
  std::int64_t time = 0;
  Bytes credentialId;
  std::uint32_t count = 0;
  bool operator==(const OfflineLogonRecord&) const = default;
};

struct HeldOfflineEntry {
  std::string user;
  std::int64_t issued = 0;
};

struct UnreportedLogon {
  std::string user;
  OfflineLogonRecord logon;
};

class OfflineCache {
 public:
  // At most this many unreported logons per user: a laptop away for weeks logs on a few times a
  // day; beyond this the oldest are forgotten (and logged).
  static constexpr std::size_t kMaxUnreportedPerUser = 200;

  // Reads authd's public key (PEM) and creates `directory` (0700) when missing. Throws
  // std::runtime_error naming the file or directory that is wrong.
  OfflineCache(std::string directory, const std::string& publicKeyFile, std::string device);
  ~OfflineCache();
  OfflineCache(const OfflineCache&) = delete;
  OfflineCache& operator=(const OfflineCache&) = delete;

  // Stores the entry authd sent after an online logon; false with *why when it is not one this
  // device may keep (bad signature, another device, expired) or could not be written.
  bool keep(std::string_view line, std::int64_t now, std::string* why);
  // The user's entry checked at `now`; nullopt when the device holds none.
  std::optional<offline::EntryCheck> entryOf(const std::string& user, std::int64_t now) const;
  // The highest counter known for `key`: the entry's, or a later one seen offline.
  std::uint32_t knownCount(const std::string& user, const offline::OfflineKey& key) const;
  // Makes the logon durable (its counter and the report to send); false when it could not be
  // written, and then the logon must be refused.
  bool recordLogon(const std::string& user, const OfflineLogonRecord& logon);

  std::vector<HeldOfflineEntry> held() const;
  std::vector<UnreportedLogon> unreported() const;
  // After authd recorded them.
  void forgetReported(const std::vector<UnreportedLogon>& reported);
  // Removes the user's entry when it is still the one issued at `issued`.
  void drop(const std::string& user, std::int64_t issued);

 private:
  struct State;
  std::string pathOf(const std::string& user, std::string_view suffix) const;
  State loadState(const std::string& user) const;
  bool saveState(const std::string& user, const State& state, std::string* why);
  std::optional<std::string> readFile(const std::string& path) const;

  std::string directory_;
  std::string device_;
  EVP_PKEY* authdKey_ = nullptr;
};

}  // namespace authd
