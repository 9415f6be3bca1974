#include "authd/otpauth_uri.h"

#include <charconv>
#include <set>

#include "authd/text.h"
#include "authd/wipe.h"

namespace authd {

namespace {

constexpr std::string_view kScheme = "otpauth://";
constexpr std::string_view kHexDigits = "0123456789ABCDEF";

bool fail(std::string* error, std::string message) {
  *error = std::move(message);
  return false;
}

bool isUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// Raw characters allowed in the label path segment. '+', '&', '=' and '/' are refused: '+' is
// ambiguous (space or plus) and the others would change the URI's structure in some readers.
bool isLabelChar(unsigned char c) {
  return isUnreserved(c) ||
         std::string_view("!$'()*,;:@").find(static_cast<char>(c)) != std::string_view::npos;
}

bool isValueChar(unsigned char c) {
  return isUnreserved(c) ||
         std::string_view("!$'()*,;:@/?").find(static_cast<char>(c)) != std::string_view::npos;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Decodes one URI component; every byte must be an allowed raw character or a %XX escape.
bool percentDecode(std::string_view raw, bool (*allowed)(unsigned char), std::string_view what,
                   std::string* out, std::string* error) {
  out->clear();
  out->reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '%') {
      if (!allowed(static_cast<unsigned char>(raw[i]))) {
        return fail(error, "invalid character in " + std::string(what));
      }
      out->push_back(raw[i]);
      continue;
    }
    if (raw.size() - i < 3 || hexValue(raw[i + 1]) < 0 || hexValue(raw[i + 2]) < 0) {
      return fail(error, "bad percent-encoding in " + std::string(what));
    }
    out->push_back(static_cast<char>(hexValue(raw[i + 1]) * 16 + hexValue(raw[i + 2])));
    i += 2;
  }
  return true;
}

bool checkName(std::string_view name, std::string_view what, std::string* error) {
  if (name.empty() || name.size() > kMaxOtpauthNameBytes) {
    return fail(error, std::string(what) + " must be 1 to " + std::to_string(kMaxOtpauthNameBytes) +
                           " bytes");
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f)
      return fail(error, std::string(what) + " contains control characters");
    if (c == ':') return fail(error, std::string(what) + " contains ':'");
  }
  if (name.front() == ' ') return fail(error, std::string(what) + " starts with a space");
  if (!isValidUtf8(name)) return fail(error, std::string(what) + " is not valid UTF-8");
  return true;
}

// Upper-case RFC 4648 base32 without padding, of a length that encodes whole bytes.
bool checkSecret(std::string_view secret, std::string* error) {
  if (secret.size() < kMinOtpauthSecretChars || secret.size() > kMaxOtpauthSecretChars) {
    return fail(error, "secret must be " + std::to_string(kMinOtpauthSecretChars) + " to " +
                           std::to_string(kMaxOtpauthSecretChars) + " base32 characters");
  }
  for (char c : secret) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7'))) {
      return fail(error, "secret is not unpadded base32");
    }
  }
  switch (secret.size() % 8) {
    case 1:
    case 3:
    case 6:
      return fail(error, "secret has an impossible base32 length");
    default:
      return true;
  }
}

bool checkFields(const OtpauthUri& uri, std::string* error) {
  if (!uri.issuer.empty() && !checkName(uri.issuer, "issuer", error)) return false;
  if (!checkName(uri.account, "account name", error)) return false;
  if (!checkSecret(uri.secret, error)) return false;
  if (uri.digits != 6 && uri.digits != 8) return fail(error, "digits must be 6 or 8");
  if (uri.type == OtpType::totp) {
    if (uri.period < 1 || uri.period > 3600) return fail(error, "period must be 1 to 3600 seconds");
    if (uri.counter) return fail(error, "counter is only valid for hotp");
  } else {
    if (!uri.counter) return fail(error, "hotp requires a counter");
    if (uri.period != 30) return fail(error, "period is only valid for totp");
  }
  return true;
}

// Strict unsigned decimal: digits only, no sign, no leading zero.
std::optional<std::uint64_t> parseDecimal(std::string_view text, std::uint64_t max) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > max) return std::nullopt;
  return value;
}

// "otpauth://TYPE/LABEL" with LABEL = [ISSUER ":" *" "] ACCOUNT.
bool parseHead(std::string_view head, OtpauthUri* uri, std::string* error) {
  if (head.substr(0, kScheme.size()) != kScheme) return fail(error, "scheme is not otpauth://");
  head.remove_prefix(kScheme.size());
  auto slash = head.find('/');
  if (slash == std::string_view::npos) return fail(error, "missing label");
  std::string_view type = head.substr(0, slash);
  if (type == "totp") {
    uri->type = OtpType::totp;
  } else if (type == "hotp") {
    uri->type = OtpType::hotp;
  } else {
    return fail(error, "type must be totp or hotp");
  }
  std::string label;
  if (!percentDecode(head.substr(slash + 1), isLabelChar, "label", &label, error)) return false;
  auto colon = label.find(':');
  if (colon == std::string::npos) {
    uri->account = label;
  } else {
    uri->issuer = label.substr(0, colon);
    auto start = label.find_first_not_of(' ', colon + 1);
    uri->account = start == std::string::npos ? std::string() : label.substr(start);
    if (uri->issuer.empty()) return fail(error, "empty issuer before ':' in label");
  }
  if (!uri->issuer.empty() && !checkName(uri->issuer, "issuer", error)) return false;
  return checkName(uri->account, "account name", error);
}

bool applyParameter(std::string_view key, std::string& value, OtpauthUri* uri, std::string* error) {
  if (key == "secret") {
    for (char& c : value) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    uri->secret.swap(value);
  } else if (key == "issuer") {
    if (!checkName(value, "issuer parameter", error)) return false;
    if (!uri->issuer.empty() && uri->issuer != value) {
      return fail(error, "issuer parameter differs from the label's issuer");
    }
    uri->issuer = value;
  } else if (key == "algorithm") {
    if (value == "SHA1") {
      uri->algorithm = OtpAlgorithm::sha1;
    } else if (value == "SHA256") {
      uri->algorithm = OtpAlgorithm::sha256;
    } else if (value == "SHA512") {
      uri->algorithm = OtpAlgorithm::sha512;
    } else {
      return fail(error, "algorithm must be SHA1, SHA256 or SHA512");
    }
  } else if (key == "digits") {
    auto digits = parseDecimal(value, 8);
    if (!digits || (*digits != 6 && *digits != 8)) return fail(error, "digits must be 6 or 8");
    uri->digits = static_cast<int>(*digits);
  } else if (key == "period") {
    auto period = parseDecimal(value, 3600);
    if (!period || *period == 0) return fail(error, "period must be 1 to 3600 seconds");
    uri->period = static_cast<int>(*period);
  } else if (key == "counter") {
    auto counter = parseDecimal(value, UINT64_MAX);
    if (!counter) return fail(error, "counter must be a decimal number");
    uri->counter = *counter;
  } else {
    return fail(error, "unknown parameter \"" + std::string(key) + "\"");
  }
  return true;
}

bool parseQuery(std::string_view query, OtpauthUri* uri, std::string* error) {
  std::set<std::string, std::less<>> seen;
  std::string value;
  ScopedWipe wipeValue(value);  // may be the secret
  for (;;) {
    auto amp = query.find('&');
    std::string_view param = query.substr(0, amp);
    auto eq = param.find('=');
    if (param.empty() || eq == std::string_view::npos || eq == 0) {
      return fail(error, "malformed query parameter");
    }
    std::string_view key = param.substr(0, eq);
    for (char c : key) {
      if (!(c >= 'a' && c <= 'z')) return fail(error, "malformed query parameter name");
    }
    if (!seen.emplace(key).second) {
      return fail(error, "repeated parameter \"" + std::string(key) + "\"");
    }
    if (!percentDecode(param.substr(eq + 1), isValueChar, key, &value, error) ||
        !applyParameter(key, value, uri, error)) {
      return false;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  if (!seen.contains("secret")) return fail(error, "missing secret");
  return true;
}

void appendEncoded(std::string* out, std::string_view text) {
  for (unsigned char c : text) {
    if (isUnreserved(c)) {
      out->push_back(static_cast<char>(c));
    } else {
      *out += {'%', kHexDigits[c >> 4], kHexDigits[c & 15]};
    }
  }
}

}  // namespace

OtpauthUri::~OtpauthUri() { wipeString(secret); }

std::string_view otpAlgorithmUriName(OtpAlgorithm algorithm) {
  switch (algorithm) {
    case OtpAlgorithm::sha256:
      return "SHA256";
    case OtpAlgorithm::sha512:
      return "SHA512";
    case OtpAlgorithm::sha1:
      break;
  }
  return "SHA1";
}

std::optional<OtpauthUri> parseOtpauthUri(std::string_view text, std::string* error) {
  std::string why;
  if (text.empty() || text.size() > kMaxOtpauthUriBytes) {
    why = "URI must be 1 to " + std::to_string(kMaxOtpauthUriBytes) + " bytes";
  } else if (text.find('#') != std::string_view::npos) {
    why = "URI must not have a fragment";
  } else if (auto question = text.find('?'); question == std::string_view::npos) {
    why = "missing secret";
  } else {
    OtpauthUri uri;
    if (parseHead(text.substr(0, question), &uri, &why) &&
        parseQuery(text.substr(question + 1), &uri, &why) && checkFields(uri, &why)) {
      return uri;
    }
  }
  if (error != nullptr) *error = why;
  return std::nullopt;
}

std::optional<std::string> buildOtpauthUri(const OtpauthUri& uri, std::string* error) {
  std::string why;
  if (!checkFields(uri, &why)) {
    if (error != nullptr) *error = why;
    return std::nullopt;
  }
  std::string out;
  // Reserving the worst case up front keeps the secret from being left in reallocated buffers.
  out.reserve(128 + uri.secret.size() + 3 * (2 * uri.issuer.size() + uri.account.size()));
  out += kScheme;
  out += uri.type == OtpType::totp ? "totp/" : "hotp/";
  if (!uri.issuer.empty()) {
    appendEncoded(&out, uri.issuer);
    out += ':';
  }
  appendEncoded(&out, uri.account);
  out += "?secret=";
  out += uri.secret;
  if (!uri.issuer.empty()) {
    out += "&issuer=";
    appendEncoded(&out, uri.issuer);
  }
  out += "&algorithm=";
  out += otpAlgorithmUriName(uri.algorithm);
  out += "&digits=" + std::to_string(uri.digits);
  if (uri.type == OtpType::totp) {
    out += "&period=" + std::to_string(uri.period);
  } else {
    out += "&counter=" + std::to_string(*uri.counter);
  }
  return out;
}

}  // namespace authd
