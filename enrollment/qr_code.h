#pragma once
// QR codes of otpauth:// URIs, for the terminal and as PNG. The symbol encodes the secret, so
// its module buffer is wiped when freed and PNG files are private and never overwritten.

#include <qrencode.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace authd {

inline constexpr int kQrQuietZoneModules = 4;
inline constexpr int kQrPngModulePixels = 8;

// RAII owner of a libqrencode symbol (8-bit mode, error correction level M, smallest version).
class QrCode {
 public:
  static std::optional<QrCode> encode(std::string_view text, std::string* error);

  int version() const;
  int width() const;  // modules per side, 17 + 4 * version, without quiet zone
  // Whether module (x, y) is dark; anything outside the symbol (the quiet zone) is light.
  bool isDark(int x, int y) const;

 private:
  struct Free {
    void operator()(QRcode* code) const;
  };
  explicit QrCode(QRcode* code) : code_(code) {}

  std::unique_ptr<QRcode, Free> code_;
};

// Renders with Unicode half blocks, two module rows per text row, with a quiet zone of
// kQrQuietZoneModules. Light modules are drawn and dark ones left blank, like `qrencode -t UTF8`:
// correct on dark-background terminals. Each row ends with '\n'. The text holds the secret.
std::string renderQrTerminal(const QrCode& code);
// Empty when `text` cannot be encoded.
std::string renderQrTerminal(std::string_view text);

// Writes a PNG (black on white, kQrPngModulePixels per module, quiet zone included) to a new
// file of mode 0600. Refuses to overwrite or follow an existing path; removes a partial file.
bool writeQrPng(const QrCode& code, const std::string& path, std::string* error);
bool writeQrPng(std::string_view text, const std::string& path, std::string* error);

}  // namespace authd
