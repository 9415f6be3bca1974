#include "cli/response_reader.h"

#include "authd/text.h"

namespace authd::cli {

namespace {

const nlohmann::json& emptyArray() {
  static const nlohmann::json empty = nlohmann::json::array();
  return empty;
}

}  // namespace

ResponseReader::ResponseReader(const nlohmann::json& object) : object_(object) {
  if (!object_.is_object()) error_ = "expected an object";
}

void ResponseReader::fail(std::string_view key, std::string_view problem) {
  if (error_.empty()) error_ = "field \"" + std::string(key) + "\" " + std::string(problem);
}

const nlohmann::json* ResponseReader::field(std::string_view key) {
  if (!object_.is_object()) return nullptr;
  auto it = object_.find(key);
  if (it == object_.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string ResponseReader::optionalText(std::string_view key, std::size_t maxBytes) {
  const nlohmann::json* value = field(key);
  if (value == nullptr) return {};
  if (!value->is_string()) {
    fail(key, "is not a string");
    return {};
  }
  const auto& s = value->get_ref<const std::string&>();
  if (s.size() > maxBytes) {
    fail(key, "is too long");
    return {};
  }
  return printable(s);
}

std::string ResponseReader::text(std::string_view key, std::size_t maxBytes) {
  if (field(key) == nullptr) {
    fail(key, "is missing");
    return {};
  }
  std::string s = optionalText(key, maxBytes);
  if (s.empty()) fail(key, "is empty");
  return s;
}

std::optional<std::int64_t> ResponseReader::optionalInteger(std::string_view key, std::int64_t min,
                                                            std::int64_t max) {
  const nlohmann::json* value = field(key);
  if (value == nullptr) return std::nullopt;
  std::int64_t n = 0;
  if (value->is_number_unsigned()) {
    auto u = value->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(max < 0 ? 0 : max)) {
      fail(key, "is out of range");
      return std::nullopt;
    }
    n = static_cast<std::int64_t>(u);
  } else if (value->is_number_integer()) {
    n = value->get<std::int64_t>();
  } else {
    fail(key, "is not an integer");
    return std::nullopt;
  }
  if (n < min || n > max) {
    fail(key, "is out of range");
    return std::nullopt;
  }
  return n;
}

std::int64_t ResponseReader::integer(std::string_view key, std::int64_t min, std::int64_t max) {
  if (field(key) == nullptr) {
    fail(key, "is missing");
    return 0;
  }
  return optionalInteger(key, min, max).value_or(0);
}

const nlohmann::json& ResponseReader::array(std::string_view key) {
  const nlohmann::json* value = field(key);
  if (value == nullptr || !value->is_array()) {
    fail(key, "is not an array");
    return emptyArray();
  }
  return *value;
}

std::string ResponseReader::anyText(std::string_view key, std::size_t maxBytes) const {
  if (!object_.is_object()) return {};
  auto it = object_.find(key);
  if (it == object_.end() || !it->is_string()) return {};
  return it->get<std::string>().substr(0, maxBytes);
}

std::string printable(std::string_view text) { return escapeUnsafe(text); }

}  // namespace authd::cli
