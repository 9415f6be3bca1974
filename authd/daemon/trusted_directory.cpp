#include "authd/daemon/trusted_directory.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace authd {

namespace {

namespace fs = std::filesystem;

std::string octal(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

std::string problemWith(const fs::path& dir, const struct stat& st, bool nearest) {
  const std::string name = dir.string();
  if (!S_ISDIR(st.st_mode)) return name + ": not a directory";
  if (st.st_uid != 0 && st.st_uid != ::geteuid()) {
    return name + ": owned by uid " + std::to_string(st.st_uid) +
           ", not by root or authd's user (uid " + std::to_string(::geteuid()) +
           "); it must not be someone else's directory";
  }
  bool othersWrite = (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
  if (othersWrite && (nearest || (st.st_mode & S_ISVTX) == 0)) {
    return name + ": writable by group or others (mode " + octal(st.st_mode) +
           "); use a directory only its owner can write, e.g. chmod go-w " + name;
  }
  return "";
}

// Checks `dir` (the nearest existing directory) and every directory above it.
std::string checkUpwards(fs::path dir) {
  for (bool nearest = true;; nearest = false) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) return dir.string() + ": " + std::strerror(errno);
    if (std::string problem = problemWith(dir, st, nearest); !problem.empty()) return problem;
    if (dir == dir.root_path()) return "";
    dir = dir.parent_path();
  }
}

}  // namespace

std::string untrustedParent(const std::string& path) {
  std::error_code ec;
  fs::path dir = fs::absolute(path, ec).lexically_normal().parent_path();
  if (ec) return path + ": " + ec.message();
  // A missing parent is created at start under its nearest existing ancestor.
  struct stat st {};
  while (::lstat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT) return dir.string() + ": " + std::strerror(errno);
    dir = dir.parent_path();
  }
  if (std::string problem = checkUpwards(dir); !problem.empty()) return problem;
  fs::path real = fs::canonical(dir, ec);
  if (ec) return dir.string() + ": " + ec.message();
  return real == dir ? "" : checkUpwards(real);
}

void makeParentDirectory(const std::string& path, unsigned mode) {
  namespace fs = std::filesystem;
  fs::path parent = fs::absolute(path).lexically_normal().parent_path();
  if (fs::exists(parent)) return;
  makeParentDirectory(parent.string(), mode);
  if (::mkdir(parent.c_str(), static_cast<mode_t>(mode)) != 0 ||
      ::chmod(parent.c_str(), static_cast<mode_t>(mode)) != 0) {
    throw std::runtime_error(parent.string() + ": cannot create: " + std::strerror(errno));
  }
}

}  // namespace authd
