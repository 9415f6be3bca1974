#pragma once
// authd's configuration: built-in defaults (the embedded mode of the quick start), optionally
// overridden by a TOML file. Every option is documented in docs/configuration.md.

#include <optional>
#include <string>
#include <vector>

namespace authd {

struct Config {
  struct Server {
    std::string socket = "/run/authd/authd.sock";
    int socketMode = 0666;
    std::string adminGroup = "authd-admin";
    int threads = 2;       // I/O threads running the event loop
    int workers = 4;       // threads for blocking work (database reads, directory lookups)
    int idleTimeout = 30;  // seconds
    int maxConnections = 4096;
  } server;
  struct Log {
    std::string level = "info";  // error | warning | info | debug
  } log;
  struct Store {
    std::string database = "/var/lib/authd/authd.db";
    std::string keyFile = "/var/lib/authd/secret.key";
    int maxBatch = 512;  // most writes per group commit
  } store;
  struct Directory {
    std::string backend = "nss";
    int cacheTtl = 60;  // seconds an answer (also "no such account") is reused; 0 = off
  } directory;
  struct Totp {
    std::string issuer = "authd";
    int window = 1;  // accepted steps before and after now
    int digits = 6;
    std::string algorithm = "sha1";
  } totp;
  struct Lockout {
    int maxFailures = 10;
    int baseDelay = 60;   // seconds locked after maxFailures consecutive failures
    int maxDelay = 3600;  // the doubling delay never exceeds this
  } lockout;
  struct Fido2 {
    // One relying-party id for the whole service, so a key enrolled once works everywhere.
    // Baked into every credential: choose it before the first enrolment.
    std::string rpId = "authd";
    std::string rpName = "authd";
    std::string attestation = "self";            // none | self | trusted
    std::string caFile;                          // PEM vendor roots; required for "trusted"
    std::vector<std::string> aaguids;            // allowed authenticator models; empty = any
    std::vector<std::string> origins;            // WebAuthn clients; empty = "https://" + rpId
    std::string userVerification = "preferred";  // required | preferred | discouraged
    int challengeTtl = 60;                       // seconds
  } fido2;
};

// Reads and validates a TOML file on top of the defaults. On error returns nullopt and sets
// *error to "FILE:LINE: key SECTION.KEY: what is wrong".
std::optional<Config> loadConfigFile(const std::string& path, std::string* error);
// Same, from text (for tests and fuzzing); `origin` names the source in messages.
std::optional<Config> parseConfig(std::string_view text, const std::string& origin,
                                  std::string* error);

}  // namespace authd
