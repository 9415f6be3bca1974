#pragma once
// Reads the result fields of authd's answers. They are outside bytes too: every field is read
// with a type and a size limit, and text comes back with every unprintable character escaped
// (printable below) so that nothing authd sends can drive the terminal or reorder a line. Unknown
// fields are ignored, so that a newer authd that adds result fields still works with this authctl.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace authd::cli {

class ResponseReader {
 public:
  explicit ResponseReader(const nlohmann::json& object);

  // A non-empty string, escaped by printable().
  std::string text(std::string_view key, std::size_t maxBytes);
  // A string that may be absent, null or empty ("" then).
  std::string optionalText(std::string_view key, std::size_t maxBytes);
  std::int64_t integer(std::string_view key, std::int64_t min, std::int64_t max);
  std::optional<std::int64_t> optionalInteger(std::string_view key, std::int64_t min,
                                              std::int64_t max);
  // An array (possibly empty); an empty array when it is missing or of another type (an error).
  const nlohmann::json& array(std::string_view key);
  // Whatever string is there, cut to maxBytes, never failing: for error answers.
  std::string anyText(std::string_view key, std::size_t maxBytes) const;

  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  const nlohmann::json* field(std::string_view key);
  void fail(std::string_view key, std::string_view problem);

  const nlohmann::json& object_;
  std::string error_;
};

// `text` with every control character (C0, DEL, C1), bidi formatting character and byte that is
// not UTF-8 written as a visible escape (\x1b, \u202e); idempotent, since escapes are printable.
std::string printable(std::string_view text);

}  // namespace authd::cli
