#pragma once
// authctl audit [--user U] [--since TIME] [--limit N]: the audit log, newest first.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace authd::cli {

struct AuditRow {
  std::int64_t time = 0;
  std::string user;
  std::string op;
  std::string factor;
  std::optional<std::int64_t> credentialId;
  std::string result;
  std::string reason;
  std::string service;
  std::string device;  // the network peer that asked; empty for local callers
  std::optional<std::int64_t> uid;
  std::optional<std::int64_t> pid;
};

std::optional<std::vector<AuditRow>> parseAuditResult(const nlohmann::json& response,
                                                      std::string* error);

// Columns TIME USER OP FACTOR CRED RESULT REASON SERVICE UID PID; "-" for an empty value.
std::string formatAuditTable(const std::vector<AuditRow>& events);

}  // namespace authd::cli
