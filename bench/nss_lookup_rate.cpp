// nss_lookup_rate: how fast the benchmark's account directory answers, a baseline for the verify
// benchmark. authd's nss backend calls getpwnam_r (and getgrouplist) once per verify; run.sh
// runs this under the same nss_wrapper files and environment as bench_server, one thread.
// Usage: nss_lookup_rate --users N [--seconds S]

#include <grp.h>
#include <pwd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "bench_user.h"
#include "timed_rate.h"

int main(int argc, char** argv) {
  CLI::App app{"nss_lookup_rate: getpwnam_r + getgrouplist calls per second"};
  int users = 10000;
  double seconds = 2;
  app.add_option("--users", users, "bench users in the passwd file")->check(CLI::Range(1, 1000000));
  authd::bench::addSecondsOption(app, seconds);
  CLI11_PARSE(app, argc, argv);

  std::vector<char> buffer(16384);
  const auto rate = authd::bench::measureRate(seconds, [&](long op) {
    // Round robin over the same names as load_gen enrols, as it picks users.
    const std::string name = authd::bench::userName(static_cast<int>(op % users), users);
    passwd entry{};
    passwd* found = nullptr;
    if (::getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 ||
        found == nullptr) {
      std::fprintf(stderr, "nss_lookup_rate: %s not found\n", name.c_str());
      return false;
    }
    gid_t groups[64];
    int count = 64;
    ::getgrouplist(name.c_str(), found->pw_gid, groups, &count);
    return true;
  });
  if (!rate.ok) return 1;
  authd::bench::printRate("lookups_per_s", rate);
  return 0;
}
