#pragma once
// Wiping of std::string buffers that held a secret (TOTP seed, otpauth URI, rendered QR code):
// std::string never clears its memory itself, so whoever held a secret in one calls wipeString.

#include <string>

namespace authd {

// Overwrites the whole buffer (capacity, not only size) with explicit_bzero and empties it.
void wipeString(std::string& text);

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
