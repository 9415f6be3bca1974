#pragma once
// Wiping of std::string buffers that held a secret (TOTP seed, otpauth URI, rendered QR code):
// std::string never clears its memory itself, so whoever held a secret in one calls wipeString.

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace authd {

// Overwrites the whole buffer (capacity, not only size) with explicit_bzero and empties it.
void wipeString(std::string& text);

// text followed by '\n', built in one buffer of the exact size (appending to text itself may
// reallocate and free an unwiped copy); text is wiped. For protocol lines that may hold a secret.
std::string takeLine(std::string& text);

// The string fields of a protocol object that may carry a secret, wiped in place: what a request
// may carry (code, password, pin) and what an enrol answer carries (secret, uri). Daemon and
// clients call it before such an object is freed.
void wipeSecretFields(nlohmann::json& object);

// Wipes the referenced string when the scope ends, on every return path.
class ScopedWipe {
 public:
  explicit ScopedWipe(std::string& text) : text_(text) {}
  ~ScopedWipe() { wipeString(text_); }
  ScopedWipe(const ScopedWipe&) = delete;
  ScopedWipe& operator=(const ScopedWipe&) = delete;

 private:
  std::string& text_;
};

}  // namespace authd
