#pragma once
// A real slapd for the LDAP backend tests, driven by tests/ldap/slapd.sh (instance under /tmp,
// stopped and removed when the object goes). Tests call slapdAvailable() first: without
// /usr/sbin/slapd they are skipped with a message, unless AUTHD_REQUIRE_SLAPD=1 makes that a
// failure.

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

namespace authd::testing {

inline bool slapdAvailable() {
  if (::access("/usr/sbin/slapd", X_OK) == 0) return true;
  const char* required = std::getenv("AUTHD_REQUIRE_SLAPD");
  if (required != nullptr && std::string(required) == "1") {
    FAIL("AUTHD_REQUIRE_SLAPD=1 but /usr/sbin/slapd is missing");
  }
  MESSAGE("skipped: /usr/sbin/slapd is not installed");
  return false;
}

// The repository root: AUTHD_SOURCE_DIR, else derived from this file's path.
inline std::string sourceDirectory() {
  if (const char* dir = std::getenv("AUTHD_SOURCE_DIR")) return dir;
  std::string here = __FILE__;
  return here.substr(0, here.rfind("/tests/unit/authd/directory/ldap/"));
}

inline int runQuiet(const std::string& command) {
  return std::system((command + " >/dev/null 2>&1").c_str());
}

class Slapd {
 public:
  // `command` is slapd.sh's start command and options ("start", "wrong-ca", "start --users 5").
  explicit Slapd(const std::string& command = "start") {
    char name[] = "/tmp/authd-ldap-test-XXXXXX";
    if (::mkdtemp(name) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = name;
    std::string verb = command.substr(0, command.find(' '));
    std::string options = command.size() > verb.size() ? command.substr(verb.size()) : "";
    if (std::system((script() + " " + verb + " " + dir_ + "/ldap" + options + " >" + dir_ +
                     "/start.log 2>&1")
                        .c_str()) != 0) {
      std::ifstream log(dir_ + "/start.log");
      std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
      cleanUp();
      throw std::runtime_error("slapd.sh " + command + " failed: " + text);
    }
    readEnv();
  }
  ~Slapd() { cleanUp(); }
  Slapd(const Slapd&) = delete;
  Slapd& operator=(const Slapd&) = delete;

  const std::string& env(const std::string& key) const { return env_.at(key); }
  const std::string& dir() const { return dir_; }
  std::string ldapUri() const { return env("LDAP_URI"); }
  std::string ldapsUri() const { return env("LDAPS_URI"); }

  bool stop() { return runQuiet(script() + " stop " + dir_ + "/ldap") == 0; }
  bool restart() { return runQuiet(script() + " restart " + dir_ + "/ldap") == 0; }
  // Byte offset of the server log now, for requestsSince().
  std::string mark() const { return output(script() + " mark " + dir_ + "/ldap"); }
  // "SRCH=n BIND=n": requests the server logged since `mark`.
  std::string requestsSince(const std::string& mark) const {
    return output(script() + " ops " + dir_ + "/ldap --since " + mark);
  }
  // Applies an LDIF change to cn=config (slapd.sh config).
  bool modifyConfig(const std::string& ldif) const {
    std::string file = dir_ + "/change.ldif";
    std::ofstream(file) << ldif;
    return runQuiet(script() + " config " + dir_ + "/ldap <" + file) == 0;
  }
  // Applies an LDIF change to the directory as its rootdn (slapd.sh modify).
  bool modifyData(const std::string& ldif) const {
    std::string file = dir_ + "/data.ldif";
    std::ofstream(file) << ldif;
    return runQuiet(script() + " modify " + dir_ + "/ldap <" + file) == 0;
  }
  // A CA that did not sign the server's certificate.
  std::string otherCa() const {
    if (runQuiet(script() + " ca " + dir_ + "/other-ca") != 0) {
      throw std::runtime_error("slapd.sh ca failed");
    }
    return dir_ + "/other-ca/ca.pem";
  }

 private:
  static std::string script() { return "bash " + sourceDirectory() + "/tests/ldap/slapd.sh"; }

  std::string output(const std::string& command) const {
    std::string file = dir_ + "/output";
    if (std::system((command + " >" + file + " 2>/dev/null").c_str()) != 0) {
      throw std::runtime_error(command + " failed");
    }
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
  }

  // DIR/env: `export KEY='VALUE'` lines, single quotes escaped as '\''.
  void readEnv() {
    std::ifstream in(dir_ + "/ldap/env");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("export ", 0) != 0) continue;
      std::size_t equals = line.find('=');
      std::string key = line.substr(7, equals - 7);
      std::string quoted = line.substr(equals + 1);
      std::string value;
      for (std::size_t i = 0; i < quoted.size(); ++i) {
        if (quoted.compare(i, 4, "'\\''") == 0) {
          value += '\'';
          i += 3;
        } else if (quoted[i] != '\'') {
          value += quoted[i];
        }
      }
      env_[key] = value;
    }
  }

  void cleanUp() {
    if (dir_.empty()) return;
    runQuiet(script() + " stop " + dir_ + "/ldap");
    runQuiet("rm -rf " + dir_);
    dir_.clear();
  }

  std::string dir_;
  std::map<std::string, std::string> env_;
};

}  // namespace authd::testing
