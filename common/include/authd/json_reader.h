#pragma once
// Bounds-checked access to one JSON protocol object: every field is read with a type, a maximum
// and an explicit required/optional choice, and finish() rejects any field nobody asked for.
// This is the only way request and response fields are read (parse fully, then act).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "authd/protocol.h"

namespace authd {

// Parses one line of the wire protocol: a single JSON object, shorter than maxBytes (clients
// pass kMaxResponseLineBytes) and at most kMaxDepth deep, nothing after it. Returns nullopt and
// sets *error on any violation.
std::optional<nlohmann::json> parseProtocolLine(std::string_view line, std::string* error,
                                                std::size_t maxBytes = protocol::kMaxLineBytes);

class JsonReader {
 public:
  explicit JsonReader(const nlohmann::json& object);

  std::optional<std::string> requireString(std::string_view key, std::size_t maxBytes);
  std::optional<std::string> optionalString(std::string_view key, std::size_t maxBytes);
  std::optional<std::int64_t> requireInt(std::string_view key, std::int64_t min, std::int64_t max);
  std::optional<std::int64_t> optionalInt(std::string_view key, std::int64_t min, std::int64_t max);
  std::optional<bool> optionalBool(std::string_view key);
  // The raw value of a field of any type; the caller must validate it.
  const nlohmann::json* optionalAny(std::string_view key);
  // Fails when any previous read failed or when the object holds a key that was not read.
  bool finish();

  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  const nlohmann::json* field(std::string_view key, bool required);
  void fail(std::string message);

  const nlohmann::json& object_;
  std::set<std::string, std::less<>> seen_;
  std::string error_;
};

}  // namespace authd
