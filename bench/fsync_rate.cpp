// fsync_rate: the disk's raw durable-write rate, the baseline for the verify benchmark. Writes
// 4 KiB into a preallocated scratch file and calls fdatasync, in a loop bounded in time and count,
// and prints the rate. Overwriting (not appending) matches SQLite's WAL, which reuses its file
// after each checkpoint, so fdatasync need not also commit a size change.
// Usage: fsync_rate --dir DIR [--seconds S]

#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "timed_rate.h"

int main(int argc, char** argv) {
  CLI::App app{"fsync_rate: write + fdatasync operations per second"};
  std::string dir;
  double seconds = 2;
  app.add_option("--dir", dir, "directory on the filesystem to measure")->required();
  authd::bench::addSecondsOption(app, seconds);
  CLI11_PARSE(app, argc, argv);

  std::string path = dir + "/fsync_rate.XXXXXX";
  int fd = ::mkstemp(path.data());
  if (fd < 0) {
    std::fprintf(stderr, "fsync_rate: %s: %s\n", path.c_str(), std::strerror(errno));
    return 1;
  }
  ::unlink(path.c_str());  // the data goes away with the descriptor
  std::array<char, 4096> block{};
  block.fill('x');
  constexpr off_t kFileBytes = 4 << 20;
  for (off_t at = 0; at < kFileBytes; at += static_cast<off_t>(block.size())) {
    if (::pwrite(fd, block.data(), block.size(), at) != static_cast<ssize_t>(block.size())) {
      std::fprintf(stderr, "fsync_rate: preallocate: %s\n", std::strerror(errno));
      ::close(fd);
      return 1;
    }
  }
  if (::fsync(fd) != 0) {
    std::fprintf(stderr, "fsync_rate: fsync: %s\n", std::strerror(errno));
    ::close(fd);
    return 1;
  }
  const auto rate = authd::bench::measureRate(seconds, [&](long op) {
    const off_t at = static_cast<off_t>(op * static_cast<long>(block.size())) % kFileBytes;
    if (::pwrite(fd, block.data(), block.size(), at) != static_cast<ssize_t>(block.size()) ||
        ::fdatasync(fd) != 0) {
      std::fprintf(stderr, "fsync_rate: write/fdatasync: %s\n", std::strerror(errno));
      return false;
    }
    return true;
  });
  ::close(fd);
  if (!rate.ok) return 1;
  authd::bench::printRate("fdatasync_per_s", rate);
  return 0;
}
