#include "enrollment/qr_code.h"

#include <cairo.h>
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

using authd::kQrPngModulePixels;
using authd::kQrQuietZoneModules;
using authd::QrCode;
using authd::renderQrTerminal;
using authd::writeQrPng;

namespace {

const std::string kUri =
    "otpauth://totp/authd:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=authd"
    "&algorithm=SHA1&digits=6&period=30";

// Splits UTF-8 text into rows of code points (each glyph is one code point here).
std::vector<std::vector<std::string>> glyphRows(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '\n') {
      rows.emplace_back();
      ++i;
      continue;
    }
    std::size_t len = (static_cast<unsigned char>(text[i]) < 0x80) ? 1 : 3;
    rows.back().push_back(text.substr(i, len));
    i += len;
  }
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

struct TempDir {
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "qr_test.XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::filesystem::path path;
};

}  // namespace

TEST_CASE("encoding picks a version whose width matches the QR specification") {
  std::string error;
  auto small = QrCode::encode("hello", &error);
  REQUIRE(small.has_value());
  CHECK(small->width() == 17 + 4 * small->version());
  auto uri = QrCode::encode(kUri, &error);
  REQUIRE(uri.has_value());
  CHECK(uri->width() == 17 + 4 * uri->version());
  CHECK(uri->version() > small->version());
  CHECK_FALSE(QrCode::encode("", &error).has_value());
  CHECK_FALSE(QrCode::encode(std::string(8000, 'x'), &error).has_value());  // above version 40
}

TEST_CASE("terminal rendering is square with a quiet zone and reproduces every module") {
  std::string error;
  auto code = QrCode::encode(kUri, &error);
  REQUIRE(code.has_value());
  const std::string text = renderQrTerminal(*code);
  CHECK(text == renderQrTerminal(std::string_view(kUri)));
  const int modules = code->width() + 2 * kQrQuietZoneModules;
  auto rows = glyphRows(text);
  REQUIRE(rows.size() == static_cast<std::size_t>((modules + 1) / 2));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    REQUIRE(rows[r].size() == static_cast<std::size_t>(modules));
    for (int col = 0; col < modules; ++col) {
      const std::string& glyph = rows[r][static_cast<std::size_t>(col)];
      // Light modules are drawn: upper half = module row 2r, lower half = row 2r + 1.
      bool upperLight = glyph == "\u2588" || glyph == "\u2580";
      bool lowerLight = glyph == "\u2588" || glyph == "\u2584";
      CHECK((glyph == " " || upperLight || lowerLight));
      int x = col - kQrQuietZoneModules;
      int y = static_cast<int>(2 * r) - kQrQuietZoneModules;
      CHECK(upperLight == !code->isDark(x, y));
      CHECK(lowerLight == !code->isDark(x, y + 1));
      // The quiet zone: two full text rows at top and bottom, four columns at each side.
      bool quiet = r < 2 || r + 2 >= rows.size() || col < kQrQuietZoneModules ||
                   col >= modules - kQrQuietZoneModules;
      if (quiet) CHECK(glyph == "\u2588");
    }
  }
  // Top-left finder pattern: its corner module is dark, so the glyph there is not full.
  CHECK(rows[2][kQrQuietZoneModules] != "\u2588");
}

TEST_CASE("PNG has the expected size and pixels, mode 0600, and is never overwritten") {
  TempDir dir;
  const std::string path = (dir.path / "qr.png").string();
  std::string error;
  auto code = QrCode::encode(kUri, &error);
  REQUIRE(code.has_value());
  mode_t oldMask = ::umask(0);  // a permissive umask must not widen the mode
  bool written = writeQrPng(*code, path, &error);
  ::umask(oldMask);
  REQUIRE_MESSAGE(written, error);

  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);

  cairo_surface_t* image = cairo_image_surface_create_from_png(path.c_str());
  REQUIRE(cairo_surface_status(image) == CAIRO_STATUS_SUCCESS);
  const int modules = code->width() + 2 * kQrQuietZoneModules;
  CHECK(cairo_image_surface_get_width(image) == modules * kQrPngModulePixels);
  CHECK(cairo_image_surface_get_height(image) == modules * kQrPngModulePixels);
  cairo_surface_flush(image);
  const unsigned char* pixels = cairo_image_surface_get_data(image);
  const int stride = cairo_image_surface_get_stride(image);
  int mismatches = 0;
  for (int my = 0; my < modules; ++my) {
    for (int mx = 0; mx < modules; ++mx) {
      int px = mx * kQrPngModulePixels + kQrPngModulePixels / 2;
      int py = my * kQrPngModulePixels + kQrPngModulePixels / 2;
      auto pixel = *reinterpret_cast<const std::uint32_t*>(pixels + py * stride + px * 4);
      bool dark = (pixel & 0xFFFFFF) == 0;
      bool white = (pixel & 0xFFFFFF) == 0xFFFFFF;
      bool expectDark = code->isDark(mx - kQrQuietZoneModules, my - kQrQuietZoneModules);
      if (dark != expectDark || white == expectDark) ++mismatches;
    }
  }
  cairo_surface_destroy(image);
  CHECK(mismatches == 0);

  const auto size = std::filesystem::file_size(path);
  CHECK_FALSE(writeQrPng(std::string_view("other"), path, &error));
  CHECK(error.find("refusing to overwrite") != std::string::npos);
  CHECK(std::filesystem::file_size(path) == size);
}

TEST_CASE("PNG is not written through a symlink or into a missing directory") {
  TempDir dir;
  const auto target = dir.path / "target.png";
  const auto link = dir.path / "link.png";
  std::filesystem::create_symlink(target, link);
  std::string error;
  CHECK_FALSE(writeQrPng(std::string_view(kUri), link.string(), &error));
  CHECK_FALSE(std::filesystem::exists(target));
  CHECK_FALSE(writeQrPng(std::string_view(kUri), (dir.path / "no" / "qr.png").string(), &error));
  CHECK(error.find("cannot create") != std::string::npos);
}
