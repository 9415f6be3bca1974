#include "fido2/key_spec.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <charconv>
#include <utility>

#include "fido2/attestation_dir.h"

namespace authd::testing {
namespace {

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::optional<std::array<uint8_t, 16>> parseHex16(std::string_view hex) {
  std::array<uint8_t, 16> out{};
  if (hex.size() != 2 * out.size()) return std::nullopt;
  for (size_t i = 0; i < out.size(); ++i) {
    const char* first = hex.data() + 2 * i;
    const auto [end, ec] = std::from_chars(first, first + 2, out[i], 16);
    if (ec != std::errc() || end != first + 2) return std::nullopt;
  }
  return out;
}

std::optional<AttestationFormat> parseFormat(std::string_view value) {
  if (value == "packed") return AttestationFormat::packedSelf;
  if (value == "x5c") return AttestationFormat::packedX5c;
  if (value == "fido-u2f") return AttestationFormat::fidoU2f;
  if (value == "none") return AttestationFormat::none;
  return std::nullopt;
}

bool applyFlag(std::string_view option, Faults& faults) {
  static constexpr std::pair<std::string_view, bool Faults::*> kFlags[] = {
      {"up=off", &Faults::userPresenceOff},       {"wrongrp", &Faults::wrongRp},
      {"counterback", &Faults::counterBackwards}, {"tamper", &Faults::tamperSignature},
      {"nocred", &Faults::noCredential},          {"wrongpin", &Faults::wrongPin}};
  for (const auto& [name, flag] : kFlags) {
    if (option == name) {
      faults.*flag = true;
      return true;
    }
  }
  return false;
}

// One "key=value" or flag option; false when unknown or malformed.
bool applyOption(std::string_view option, SoftKeySpec& spec) {
  if (applyFlag(option, spec.faults)) return true;
  const size_t eq = option.find('=');
  if (eq == std::string_view::npos) return false;
  const std::string_view key = option.substr(0, eq);
  const std::string_view value = option.substr(eq + 1);
  if (key == "pin") {
    spec.initialPin = std::string(value);
    return !value.empty();
  }
  if (key == "fmt") {
    const std::optional<AttestationFormat> format = parseFormat(value);
    if (format) spec.format = *format;
    return format.has_value();
  }
  if (key == "aaguid") {
    spec.aaguid = parseHex16(value);
    return spec.aaguid.has_value();
  }
  if (key == "x5cdir") {
    spec.x5cDir = std::string(value);
    return !value.empty();
  }
  if (key == "touchms") {
    unsigned ms = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
    spec.faults.touchDelay = std::chrono::milliseconds(ms);
    return ec == std::errc() && end == value.data() + value.size() && !value.empty();
  }
  return false;
}

std::optional<SoftKeySpec> parseEntry(std::string_view entry, std::string* error) {
  const std::vector<std::string_view> fields = split(entry, ':');
  if (fields.size() < 2 || fields[0].empty() || fields[1].empty()) {
    *error = "expected name:statepath[:option...], got '" + std::string(entry) + "'";
    return std::nullopt;
  }
  SoftKeySpec spec;
  spec.name = std::string(fields[0]);
  spec.statePath = std::string(fields[1]);
  for (size_t i = 2; i < fields.size(); ++i) {
    if (!applyOption(fields[i], spec)) {
      // The option may hold a PIN: name the key, not the option.
      *error = "key '" + spec.name + "': unknown or malformed option #" + std::to_string(i - 1);
      return std::nullopt;
    }
  }
  return spec;
}

std::array<uint8_t, 16> derivedAaguid(std::string_view name) {
  const std::string input = "authd soft-fido2 aaguid " + std::string(name);
  std::array<uint8_t, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const uint8_t*>(input.data()), input.size(), digest.data());
  std::array<uint8_t, 16> aaguid{};
  std::copy_n(digest.begin(), aaguid.size(), aaguid.begin());
  return aaguid;
}

std::string directoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

SoftKeySpec::~SoftKeySpec() {
  if (!initialPin.empty()) OPENSSL_cleanse(initialPin.data(), initialPin.size());
}

std::optional<std::vector<SoftKeySpec>> parseSoftKeySpecs(std::string_view list,
                                                          std::string* error) {
  std::vector<SoftKeySpec> specs;
  if (list.empty()) return specs;
  for (std::string_view entry : split(list, ',')) {
    std::optional<SoftKeySpec> spec = parseEntry(entry, error);
    if (!spec) return std::nullopt;
    const bool duplicate = std::any_of(specs.begin(), specs.end(),
                                       [&](const SoftKeySpec& s) { return s.name == spec->name; });
    if (duplicate) {
      *error = "key name used twice: " + spec->name;
      return std::nullopt;
    }
    specs.push_back(std::move(*spec));
  }
  return specs;
}

bool isPlugged(const char* pluggedList, std::string_view name) {
  if (pluggedList == nullptr) return true;
  const std::vector<std::string_view> names = split(pluggedList, ',');
  return std::find(names.begin(), names.end(), name) != names.end();
}

SoftAuthenticatorConfig configFromSpec(const SoftKeySpec& spec) {
  SoftAuthenticatorConfig config;
  config.name = spec.name;
  config.seed = std::nullopt;
  config.statePath = spec.statePath;
  config.attestation = spec.format;
  config.aaguid = spec.aaguid.value_or(derivedAaguid(spec.name));
  if (spec.format == AttestationFormat::packedX5c || spec.format == AttestationFormat::fidoU2f) {
    const std::string dir = spec.x5cDir.empty() ? directoryOf(spec.statePath) : spec.x5cDir;
    config.attestationIdentity = loadOrCreateAttestation(dir, spec.name, *config.aaguid);
  }
  return config;
}

}  // namespace authd::testing
