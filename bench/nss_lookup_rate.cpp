// nss_lookup_rate: how fast the benchmark's account directory answers, a baseline for the verify
// benchmark. authd's nss backend calls getpwnam_r (and getgrouplist) once per verify; run.sh
// runs this under the same nss_wrapper files and environment as bench_server, one thread.
// Usage: nss_lookup_rate --users N [--seconds S]

#include <grp.h>
#include <pwd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace {

// The same names as load_gen enrols: bench0000 .. bench9999 for 10,000 users.
std::string userName(int index, int total) {
  int width = std::max(4, static_cast<int>(std::to_string(std::max(total - 1, 0)).size()));
  std::string digits = std::to_string(index);
  return "bench" + std::string(static_cast<std::size_t>(width) - digits.size(), '0') + digits;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"nss_lookup_rate: getpwnam_r + getgrouplist calls per second"};
  int users = 10000;
  double seconds = 2;
  app.add_option("--users", users, "bench users in the passwd file")->check(CLI::Range(1, 1000000));
  app.add_option("--seconds", seconds, "how long to measure")->check(CLI::Range(0.1, 60.0));
  CLI11_PARSE(app, argc, argv);

  std::vector<char> buffer(16384);
  constexpr long kMaxOps = 10'000'000;
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  long ops = 0;
  while (ops < kMaxOps && Clock::now() < end) {
    // Round robin, as load_gen picks users.
    const std::string name = userName(static_cast<int>(ops % users), users);
    passwd entry{};
    passwd* found = nullptr;
    if (::getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 ||
        found == nullptr) {
      std::fprintf(stderr, "nss_lookup_rate: %s not found\n", name.c_str());
      return 1;
    }
    gid_t groups[64];
    int count = 64;
    ::getgrouplist(name.c_str(), found->pw_gid, groups, &count);
    ++ops;
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("lookups_per_s=%.0f ops=%ld seconds=%.3f\n", static_cast<double>(ops) / elapsed, ops,
              elapsed);
  return 0;
}
