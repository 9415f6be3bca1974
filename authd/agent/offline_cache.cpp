#include "authd/agent/offline_cache.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "authd/base/atomic_file.h"
#include "authd/base/log.h"
#include "authd/base/unique_fd.h"
#include "authd/daemon/trusted_directory.h"
#include "authd/fido2/digest.h"
#include "authd/json_reader.h"

namespace authd {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxFileBytes = 1 << 20;
constexpr std::string_view kEntrySuffix = ".entry";
constexpr std::string_view kStateSuffix = ".state";

std::string hex(const fido2::Sha256Digest& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

EVP_PKEY* readPublicKey(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "re"), &std::fclose);
  if (!file) throw std::runtime_error("agent.offline_public_key_file " + path + ": cannot open");
  EVP_PKEY* key = PEM_read_PUBKEY(file.get(), nullptr, nullptr, nullptr);
  if (key == nullptr || EVP_PKEY_get_base_id(key) != EVP_PKEY_ED25519) {
    EVP_PKEY_free(key);
    throw std::runtime_error("agent.offline_public_key_file " + path +
                             ": not an Ed25519 public key (PEM), as authd --offline-public-key "
                             "prints it");
  }
  return key;
}

}  // namespace

struct OfflineCache::State {
  std::string user;
  std::map<std::string, std::uint32_t> counts;  // base64url credential id -> counter
  std::vector<OfflineLogonRecord> logons;       // not yet reported, oldest first
};

OfflineCache::OfflineCache(std::string directory, const std::string& publicKeyFile,
                           std::string device)
    : directory_(std::move(directory)), device_(std::move(device)) {
  if (std::string problem = untrustedParent(directory_ + "/x"); !problem.empty()) {
    throw std::runtime_error("agent.offline_directory " + directory_ + ": " + problem);
  }
  makeParentDirectory(directory_ + "/x", 0700);
  authdKey_ = readPublicKey(publicKeyFile);
}

OfflineCache::~OfflineCache() { EVP_PKEY_free(authdKey_); }

std::string OfflineCache::pathOf(const std::string& user, std::string_view suffix) const {
  fido2::Sha256Digest digest{};
  const auto* bytes = reinterpret_cast<const unsigned char*>(user.data());
  if (!fido2::sha256({bytes, user.size()}, {}, &digest)) throw std::runtime_error("sha256 failed");
  return directory_ + "/" + hex(digest) + std::string(suffix);
}

// Only files the agent wrote: regular, its own, for nobody else.
std::optional<std::string> OfflineCache::readFile(const std::string& path) const {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st {};
  if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0) return std::nullopt;
  if (!S_ISREG(st.st_mode) || st.st_uid != ::geteuid() || (st.st_mode & 0077) != 0 ||
      st.st_size > static_cast<off_t>(kMaxFileBytes)) {
    log::warning("agent: ignoring " + path + ": not a private file of the agent");
    return std::nullopt;
  }
  std::string content(static_cast<std::size_t>(st.st_size), '\0');
  if (::read(fd.get(), content.data(), content.size()) != st.st_size) return std::nullopt;
  return content;
}

OfflineCache::State OfflineCache::loadState(const std::string& user) const {
  State state;
  state.user = user;
  const std::optional<std::string> text = readFile(pathOf(user, kStateSuffix));
  if (!text) return state;
  try {
    const json doc = json::parse(*text);
    for (const json& c : doc.at("counts")) {
      state.counts[c.at("id").get<std::string>()] = c.at("count").get<std::uint32_t>();
    }
    for (const json& l : doc.at("logons")) {
      auto id = base64urlDecode(l.at("credential").get<std::string>(), 1023);
      if (!id) continue;
      state.logons.push_back(
          {l.at("time").get<std::int64_t>(), std::move(*id), l.at("count").get<std::uint32_t>()});
    }
  } catch (const json::exception& e) {
    log::warning("agent: the offline state of " + user + " is unreadable: " + e.what());
  }
  return state;
}

bool OfflineCache::saveState(const std::string& user, const State& state, std::string* why) {
  json counts = json::array();
  for (const auto& [id, count] : state.counts) counts.push_back({{"id", id}, {"count", count}});
  json logons = json::array();
  for (const auto& l : state.logons) {
    logons.push_back(
        {{"time", l.time}, {"credential", base64urlEncode(l.credentialId)}, {"count", l.count}});
  }
  const json doc = {{"user", user}, {"counts", counts}, {"logons", logons}};
  return writeFileAtomically(pathOf(user, kStateSuffix), doc.dump(), why);
}

bool OfflineCache::keep(std::string_view line, std::int64_t now, std::string* why) {
  const offline::EntryCheck check = offline::readEntry(line, authdKey_, device_, now);
  if (!check.entry) {
    *why = offline::auditReason(check.refusal);
    return false;
  }
  return writeFileAtomically(pathOf(check.entry->user, kEntrySuffix), line, why);
}

std::optional<offline::EntryCheck> OfflineCache::entryOf(const std::string& user,
                                                         std::int64_t now) const {
  const std::optional<std::string> line = readFile(pathOf(user, kEntrySuffix));
  if (!line) return std::nullopt;
  offline::EntryCheck check = offline::readEntry(*line, authdKey_, device_, now);
  // A file named for one user holding another's entry was not written by this agent.
  if (check.entry && check.entry->user != user) return offline::EntryCheck{};
  return check;
}

std::uint32_t OfflineCache::knownCount(const std::string& user,
                                       const offline::OfflineKey& key) const {
  const State state = loadState(user);
  auto it = state.counts.find(base64urlEncode(key.credentialId));
  return it == state.counts.end() ? key.signCount : std::max(key.signCount, it->second);
}

bool OfflineCache::recordLogon(const std::string& user, const OfflineLogonRecord& logon) {
  State state = loadState(user);
  std::uint32_t& count = state.counts[base64urlEncode(logon.credentialId)];
  count = std::max(count, logon.count);
  state.logons.push_back(logon);
  if (state.logons.size() > kMaxUnreportedPerUser) {
    state.logons.erase(state.logons.begin());
    log::warning("agent: more than " + std::to_string(kMaxUnreportedPerUser) +
                 " offline logons of " + user + " not yet reported; the oldest is forgotten");
  }
  std::string why;
  if (!saveState(user, state, &why)) {
    log::error("agent: offline logon of " + user + " not stored: " + why);
    return false;
  }
  return true;
}

std::vector<HeldOfflineEntry> OfflineCache::held() const {
  std::vector<HeldOfflineEntry> out;
  std::error_code ec;
  for (const auto& file : fs::directory_iterator(directory_, ec)) {
    const std::string path = file.path().string();
    if (!path.ends_with(kEntrySuffix)) continue;
    const std::optional<std::string> line = readFile(path);
    if (!line) continue;
    const offline::EntryCheck check = offline::readEntryAnyTime(*line, authdKey_, device_);
    // Unusable files stay for the admin to look at; they can never log anyone on.
    if (!check.entry || path != pathOf(check.entry->user, kEntrySuffix)) continue;
    out.push_back({check.entry->user, check.entry->issuedAt});
  }
  return out;
}

std::vector<UnreportedLogon> OfflineCache::unreported() const {
  std::vector<UnreportedLogon> out;
  std::error_code ec;
  for (const auto& file : fs::directory_iterator(directory_, ec)) {
    const std::string path = file.path().string();
    if (!path.ends_with(kStateSuffix)) continue;
    const std::optional<std::string> text = readFile(path);
    if (!text) continue;
    std::string user;
    try {
      user = json::parse(*text).at("user").get<std::string>();
    } catch (const json::exception&) {
      continue;
    }
    if (pathOf(user, kStateSuffix) != path) continue;
    for (auto& logon : loadState(user).logons) out.push_back({user, std::move(logon)});
  }
  return out;
}

void OfflineCache::forgetReported(const std::vector<UnreportedLogon>& reported) {
  std::map<std::string, std::vector<OfflineLogonRecord>> byUser;
  for (const auto& r : reported) byUser[r.user].push_back(r.logon);
  for (const auto& [user, logons] : byUser) {
    State state = loadState(user);
    std::erase_if(state.logons, [&](const OfflineLogonRecord& l) {
      return std::find(logons.begin(), logons.end(), l) != logons.end();
    });
    std::string why;
    if (!saveState(user, state, &why)) log::warning("agent: " + why);
  }
}

void OfflineCache::drop(const std::string& user, std::int64_t issued) {
  const std::string path = pathOf(user, kEntrySuffix);
  const std::optional<std::string> line = readFile(path);
  if (!line) return;
  const offline::EntryCheck check = offline::readEntryAnyTime(*line, authdKey_, device_);
  if (check.entry && check.entry->issuedAt != issued) return;  // replaced since
  ::unlink(path.c_str());
  log::info("agent: offline entry of " + user +
            " dropped: the central authd no longer vouches for it");
}

}  // namespace authd
