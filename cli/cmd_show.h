#pragma once
// authctl show USER: the user's directory entry and groups, the group policy that applies and
// why, then the user's credentials and failed attempts (as `authctl list USER`).

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/cmd_list.h"

namespace authd::cli {

struct ShowResult {
  std::string name, id, displayName, mail, dn;
  std::vector<std::string> groups;
  bool disabled = false;
  bool mfaRequired = true;
  std::vector<std::string> mfaBecause;
  std::vector<std::string> factors;
  bool uvRequired = false;
  std::vector<std::string> rules;
  bool offline = false;  // the policy lets devices keep offline entries
  std::int64_t offlineMaxAgeDays = 0;
  struct OfflineEntry {
    std::string device;
    std::int64_t issued = 0, expires = 0;
    bool revoked = false;
  };
  std::vector<OfflineEntry> offlineEntries;  // devices holding one
  ListResult listing;
};

std::optional<ShowResult> parseShowResult(const nlohmann::json& response, std::string* error);
std::string formatShowResult(const ShowResult& result, std::int64_t now);

}  // namespace authd::cli
