#include "authd/json_reader.h"

#include <vector>

#include "authd/protocol.h"
#include "authd/text.h"

namespace authd {

namespace {

// Watches the parser's events: nesting depth, and keys repeated within one object (JSON leaves
// that open and nlohmann keeps the last, so {"op":"verify","op":"ping"} would run ping).
class StrictStructure {
 public:
  bool operator()(int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    if (depth > protocol::kMaxDepth) tooDeep_ = true;
    if (event == Event::object_start) {
      keys_.emplace_back();
    } else if (event == Event::object_end && !keys_.empty()) {
      keys_.pop_back();
    } else if (event == Event::key && !keys_.empty() && !repeats_) {
      const auto& key = parsed.get_ref<const std::string&>();
      if (!keys_.back().insert(key).second) {
        repeats_ = true;
        repeated_ = escapeUnsafe(truncateUtf8(key, 64));  // it goes into the error message
      }
    }
    return !tooDeep_;
  }

  bool tooDeep() const { return tooDeep_; }
  bool repeats() const { return repeats_; }
  const std::string& repeated() const { return repeated_; }

 private:
  bool tooDeep_ = false;
  bool repeats_ = false;
  std::string repeated_;
  std::vector<std::set<std::string, std::less<>>> keys_;
};

}  // namespace

std::optional<nlohmann::json> parseProtocolLine(std::string_view line, std::string* error,
                                                std::size_t maxBytes) {
  if (line.size() >= maxBytes) {
    *error = "request larger than " + std::to_string(maxBytes) + " bytes";
    return std::nullopt;
  }
  // JSON allows \r as white space; the protocol's lines end in \n alone (docs/protocol.md).
  if (line.find('\r') != std::string_view::npos) {
    *error = "request contains a carriage return";
    return std::nullopt;
  }
  StrictStructure watch;
  auto callback = [&watch](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    return watch(depth, event, parsed);
  };
  // allow_exceptions=false, ignore_comments=false: strict JSON; trailing bytes make it discarded.
  nlohmann::json value = nlohmann::json::parse(line.begin(), line.end(), callback, false, false);
  if (watch.tooDeep()) {
    *error = "request nested deeper than " + std::to_string(protocol::kMaxDepth) + " levels";
    return std::nullopt;
  }
  if (watch.repeats() && !value.is_discarded()) {
    *error = "request repeats the key \"" + watch.repeated() + "\"";
    return std::nullopt;
  }
  if (value.is_discarded()) {
    *error = "request is not a single valid JSON value";
    return std::nullopt;
  }
  if (!value.is_object()) {
    *error = "request is not a JSON object";
    return std::nullopt;
  }
  return value;
}

JsonReader::JsonReader(const nlohmann::json& object) : object_(object) {}

void JsonReader::fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
}

const nlohmann::json* JsonReader::field(std::string_view key, bool required) {
  seen_.emplace(key);
  auto it = object_.find(key);
  if (it == object_.end() || it->is_null()) {
    if (required) fail("missing field \"" + std::string(key) + "\"");
    return nullptr;
  }
  return &*it;
}

std::optional<std::string> JsonReader::requireString(std::string_view key, std::size_t maxBytes) {
  const nlohmann::json* v = field(key, true);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    fail("field \"" + std::string(key) + "\" must be a string");
    return std::nullopt;
  }
  const auto& s = v->get_ref<const std::string&>();
  if (s.empty() || s.size() > maxBytes) {
    fail("field \"" + std::string(key) + "\" must be 1 to " + std::to_string(maxBytes) + " bytes");
    return std::nullopt;
  }
  if (!isSafeText(s)) {
    fail("field \"" + std::string(key) + "\" contains control or bidi formatting characters");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> JsonReader::optionalString(std::string_view key, std::size_t maxBytes) {
  if (object_.find(key) == object_.end() || object_.at(std::string(key)).is_null()) {
    seen_.emplace(key);
    return std::nullopt;
  }
  return requireString(key, maxBytes);
}

std::optional<std::int64_t> JsonReader::requireInt(std::string_view key, std::int64_t min,
                                                   std::int64_t max) {
  const nlohmann::json* v = field(key, true);
  if (v == nullptr) return std::nullopt;
  std::int64_t n = 0;
  if (v->is_number_unsigned()) {
    auto u = v->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX)) {
      fail("field \"" + std::string(key) + "\" is out of range");
      return std::nullopt;
    }
    n = static_cast<std::int64_t>(u);
  } else if (v->is_number_integer()) {
    n = v->get<std::int64_t>();
  } else {
    fail("field \"" + std::string(key) + "\" must be an integer");
    return std::nullopt;
  }
  if (n < min || n > max) {
    fail("field \"" + std::string(key) + "\" must be between " + std::to_string(min) + " and " +
         std::to_string(max));
    return std::nullopt;
  }
  return n;
}

std::optional<std::int64_t> JsonReader::optionalInt(std::string_view key, std::int64_t min,
                                                    std::int64_t max) {
  if (object_.find(key) == object_.end() || object_.at(std::string(key)).is_null()) {
    seen_.emplace(key);
    return std::nullopt;
  }
  return requireInt(key, min, max);
}

std::optional<bool> JsonReader::optionalBool(std::string_view key) {
  const nlohmann::json* v = field(key, false);
  if (v == nullptr) return std::nullopt;
  if (!v->is_boolean()) {
    fail("field \"" + std::string(key) + "\" must be true or false");
    return std::nullopt;
  }
  return v->get<bool>();
}

const nlohmann::json* JsonReader::optionalAny(std::string_view key) { return field(key, false); }

bool JsonReader::finish() {
  if (!error_.empty()) return false;
  for (const auto& [key, value] : object_.items()) {
    if (seen_.find(key) == seen_.end()) {
      fail("unknown field \"" + key + "\"");
      return false;
    }
  }
  return true;
}

}  // namespace authd
