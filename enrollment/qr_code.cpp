#include "enrollment/qr_code.h"

#include <cairo.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <qrencode.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace authd {

namespace {

constexpr std::string_view kUpperHalf = "\u2580";  // ▀
constexpr std::string_view kLowerHalf = "\u2584";  // ▄
constexpr std::string_view kFullBlock = "\u2588";  // █

bool fail(std::string* error, std::string message) {
  if (error != nullptr) *error = std::move(message);
  return false;
}

bool isLight(const QrCode& code, int x, int y) { return !code.isDark(x, y); }

// cairo write callback: appends to the file descriptor in `closure`.
cairo_status_t writeToFd(void* closure, const unsigned char* data, unsigned int length) {
  int fd = *static_cast<int*>(closure);
  while (length > 0) {
    ssize_t n = ::write(fd, data, length);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return CAIRO_STATUS_WRITE_ERROR;
    data += n;
    length -= static_cast<unsigned int>(n);
  }
  return CAIRO_STATUS_SUCCESS;
}

struct SurfaceDeleter {
  void operator()(cairo_surface_t* surface) const {
    // The pixels show the secret as well.
    cairo_surface_flush(surface);
    unsigned char* pixels = cairo_image_surface_get_data(surface);
    if (pixels != nullptr) {
      OPENSSL_cleanse(pixels,
                      static_cast<std::size_t>(cairo_image_surface_get_stride(surface)) *
                          static_cast<std::size_t>(cairo_image_surface_get_height(surface)));
    }
    cairo_surface_destroy(surface);
  }
};
using SurfacePtr = std::unique_ptr<cairo_surface_t, SurfaceDeleter>;

SurfacePtr drawSymbol(const QrCode& code, std::string* error) {
  const int modules = code.width() + 2 * kQrQuietZoneModules;
  const int pixels = modules * kQrPngModulePixels;
  SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, pixels, pixels));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    fail(error, "cannot create image surface");
    return nullptr;
  }
  cairo_t* cr = cairo_create(surface.get());
  cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (int y = 0; y < code.width(); ++y) {
    for (int x = 0; x < code.width(); ++x) {
      if (!code.isDark(x, y)) continue;
      cairo_rectangle(cr, (x + kQrQuietZoneModules) * kQrPngModulePixels,
                      (y + kQrQuietZoneModules) * kQrPngModulePixels, kQrPngModulePixels,
                      kQrPngModulePixels);
    }
  }
  cairo_fill(cr);
  cairo_status_t status = cairo_status(cr);
  cairo_destroy(cr);
  if (status != CAIRO_STATUS_SUCCESS) {
    fail(error, std::string("cannot draw QR code: ") + cairo_status_to_string(status));
    return nullptr;
  }
  return surface;
}

}  // namespace

void QrCode::Free::operator()(QRcode* code) const {
  OPENSSL_cleanse(code->data,
                  static_cast<std::size_t>(code->width) * static_cast<std::size_t>(code->width));
  QRcode_free(code);
}

std::optional<QrCode> QrCode::encode(std::string_view text, std::string* error) {
  if (text.empty() || text.size() > INT_MAX) {
    fail(error, "nothing to encode");
    return std::nullopt;
  }
  QRcode* code =
      QRcode_encodeData(static_cast<int>(text.size()),
                        reinterpret_cast<const unsigned char*>(text.data()), 0, QR_ECLEVEL_M);
  if (code == nullptr) {
    fail(error, std::string("cannot encode QR code: ") + std::strerror(errno));
    return std::nullopt;
  }
  return QrCode(code);
}

int QrCode::version() const { return code_->version; }

int QrCode::width() const { return code_->width; }

bool QrCode::isDark(int x, int y) const {
  if (x < 0 || y < 0 || x >= code_->width || y >= code_->width) return false;
  // libqrencode: bit 0 of each module byte is set for a dark module.
  return (code_->data[static_cast<std::size_t>(y) * static_cast<std::size_t>(code_->width) +
                      static_cast<std::size_t>(x)] &
          1) != 0;
}

std::string renderQrTerminal(const QrCode& code) {
  const int quiet = kQrQuietZoneModules;
  const int modules = code.width() + 2 * quiet;
  const int rows = (modules + 1) / 2;
  std::string out;
  // Reserved once so no reallocation leaves copies of the symbol behind.
  out.reserve(static_cast<std::size_t>(rows) * (static_cast<std::size_t>(modules) * 3 + 1));
  for (int row = 0; row < rows; ++row) {
    const int top = 2 * row - quiet;
    for (int col = 0; col < modules; ++col) {
      const int x = col - quiet;
      const bool upper = isLight(code, x, top);
      const bool lower = isLight(code, x, top + 1);
      out += upper ? (lower ? kFullBlock : kUpperHalf) : (lower ? kLowerHalf : " ");
    }
    out += '\n';
  }
  return out;
}

std::string renderQrTerminal(std::string_view text) {
  auto code = QrCode::encode(text, nullptr);
  return code ? renderQrTerminal(*code) : std::string();
}

bool writeQrPng(const QrCode& code, const std::string& path, std::string* error) {
  SurfacePtr surface = drawSymbol(code, error);
  if (!surface) return false;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return fail(error, "refusing to overwrite existing file \"" + path + "\"");
    return fail(error, "cannot create \"" + path + "\": " + std::strerror(errno));
  }
  // The umask may have removed owner bits; the mode must be exactly 0600.
  bool ok = ::fchmod(fd, 0600) == 0;
  std::string why = ok ? "" : std::strerror(errno);
  if (ok) {
    cairo_status_t status = cairo_surface_write_to_png_stream(surface.get(), writeToFd, &fd);
    ok = status == CAIRO_STATUS_SUCCESS;
    if (!ok) why = cairo_status_to_string(status);
  }
  if (::close(fd) != 0 && ok) {
    ok = false;
    why = std::strerror(errno);
  }
  if (!ok) {
    ::unlink(path.c_str());
    return fail(error, "cannot write \"" + path + "\": " + why);
  }
  return true;
}

bool writeQrPng(std::string_view text, const std::string& path, std::string* error) {
  auto code = QrCode::encode(text, error);
  return code && writeQrPng(*code, path, error);
}

}  // namespace authd
