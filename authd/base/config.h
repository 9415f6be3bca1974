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
    // I/O threads running the event loop; 0: one per core but one, which the store's writer uses
    int threads = 0;
    int workers = 4;            // threads for blocking work (database reads, directory lookups)
    int idleTimeout = 30;       // seconds
    int maxConnections = 4096;  // all callers but root together
    // Local callers other than root may act only for their own account; members of this group
    // (looked up like admin_group) may act for any user, e.g. a web front end. Empty: only root.
    std::string serviceGroup = "authd-service";
    int maxConnectionsPerUid = 64;  // open connections of one uid other than root
    int requestsPerSecond = 20;     // sustained requests of one caller other than root/service
    int requestBurst = 40;          // ... and how many it may send at once
  } server;
  // How long the audit log keeps events, and how repeated failures are folded into one row.
  struct Audit {
    int retentionDays = 365;        // logon events (verify, factors, fido2_begin)
    int adminRetentionDays = 1825;  // enrolment, revocation, unlock, refused admin calls
    int aggregateSeconds = 300;     // identical failures within this time are one row; 0 = off
  } audit;
  struct Log {
    std::string level = "info";  // error | warning | info | debug
  } log;
  struct Store {
    std::string database = "/var/lib/authd/authd.db";
    std::string keyFile = "/var/lib/authd/secret.key";
    int maxBatch = 512;  // most writes per group commit
  } store;
  struct Directory {
    std::string backend = "nss";  // nss | ldap
    int cacheTtl = 60;            // seconds an account found is reused; 0 = off
    int negativeCacheTtl = 60;    // seconds "no such account" is reused; 0 = off
  } directory;
  // directory.backend = "ldap": the city's Active Directory or OpenLDAP (docs/ldap.md).
  struct Ldap {
    std::vector<std::string> uris;  // tried in order; ldaps:// or ldap:// (StartTLS)
    std::string caFile;             // PEM CA certificates; empty = the system's
    bool allowPlain = false;        // ldap:// without StartTLS: test labs only
    std::string bindDn;             // service account; empty = anonymous search
    std::string bindPasswordFile;   // its password, first line; never in this file
    std::string userBase;
    std::string userFilter = "(objectClass=inetOrgPerson)";
    std::string loginAttribute = "uid";
    std::string idAttribute = "entryUUID";  // AD: objectGUID
    std::string displayNameAttribute = "displayName";
    std::string mailAttribute = "mail";
    std::string groupMode = "member_of";  // member_of | search
    std::string memberOfAttribute = "memberOf";
    std::string groupBase;  // search mode; empty = user_base
    std::string groupFilter = "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))";
    std::string groupMemberAttribute = "member";  // member | uniqueMember | memberUid
    std::string groupNameAttribute = "cn";
    int nestedDepth = 0;                      // search mode: levels of groups within groups
    std::string disabledAttribute;            // disabled when present (pwdAccountLockedTime)
    std::vector<std::string> disabledValues;  // ... and, if set, holding one of these values
    std::string disabledFlagAttribute;        // AD: userAccountControl
    int disabledFlagMask = 0;                 // AD: 2 (ACCOUNTDISABLE)
    int connectTimeoutMs = 3000;
    int timeoutMs = 5000;  // each search or bind
    int retryAfter = 30;   // seconds a server that did not answer is skipped
    int poolSize = 4;      // service connections (searches run on the worker threads)
  } ldap;
  // Which factors members of a group must use. A user in several groups gets the strictest rule:
  // the intersection of the factor sets, UV required if any rule requires it.
  struct Policy {
    struct GroupRule {
      std::string group;
      std::vector<std::string> factors;  // subset of fido2, totp
      bool uvRequired = false;
      std::optional<bool> offline;           // unset: [offline] allowed
      std::optional<int> offlineMaxAgeDays;  // unset: [offline] max_age_days
    };
    std::vector<std::string> mfaGroups;  // who must use a second factor; empty = everyone
    std::vector<std::string> defaultFactors = {"fido2", "totp"};
    std::vector<GroupRule> groups;
  } policy;
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
  // The network listener for the devices of the city and for admins (docs/network.md):
  // mutual TLS, the same protocol as the socket. Off while `listen` is empty.
  struct Tls {
    std::vector<std::string> listen;  // "ADDRESS:PORT"; port 0 picks a free one (tests)
    std::string certFile;             // the server's certificate chain (PEM)
    std::string keyFile;  // its private key (PEM); root or authd only, not readable by others
    std::string caFile;   // the CA(s) issuing device and admin certificates (PEM)
    std::string crlFile;  // optional CRL(s) of that CA (PEM); checked for every peer
    // Certificate names (subject CN) that are admins, not devices.
    std::vector<std::string> admins;
    int maxConnectionsPerDevice = 64;
    int handshakeTimeout = 10;  // seconds
  } tls;
  // authd --agent (docs/network.md): the local socket of [server] on a device, each request
  // forwarded to the first central authd that answers, over mutual TLS with the device's key.
  struct Agent {
    std::vector<std::string> servers;  // "HOST:PORT", tried in this order
    std::string certFile;              // the device's certificate (PEM); its CN names the device
    std::string keyFile;               // its private key; root or authd only
    std::string caFile;                // the CA of the central servers' certificates
    int connectTimeoutMs = 3000;       // TCP connect and TLS handshake, per server
    int requestTimeoutMs = 10000;      // one answer of a central server
    int retryAfter = 30;               // seconds a server that did not answer is skipped
    // Offline FIDO2 logon (docs/offline.md): the central authd's public key (PEM) the entries
    // are verified with; empty: no offline logon at this device.
    std::string offlinePublicKeyFile;
    std::string offlineDirectory = "/var/lib/authd-agent/offline";  // root only, 0700
  } agent;
  // Offline FIDO2 logon at devices (docs/offline.md): the central authd signs offline entries
  // with an Ed25519 key of its own. Off by default.
  struct Offline {
    bool allowed = false;    // for accounts no [policy.groups] rule with `offline` applies to
    int maxAgeDays = 14;     // an entry's lifetime from its issue
    bool uvRequired = true;  // PIN (or biometric) required offline
    std::string signingKeyFile = "/var/lib/authd/offline.key";  // 32-byte seed, like store.key_file
  } offline;
  // The RADIUS front end for VPN gateways (docs/radius.md). Off while `listen` is empty.
  struct Radius {
    // A gateway (NAS) allowed to ask: its source address or network and its shared secret.
    struct Client {
      std::string name;        // in the audit (service) and the log
      std::string address;     // IP address or network in CIDR form ("192.0.2.0/24")
      std::string secretFile;  // the shared secret, first line; >= 16 characters, root only
      std::string mode = "append";  // append | challenge | otp_only
      bool requireMessageAuthenticator = true;  // drop Access-Requests without a valid one
      bool limitProxyState = true;  // without: drop those with Proxy-State but no valid one
    };
    // Reply attributes for the members of a directory group (the first matching group wins,
    // in file order), so the gateway applies the group's network policy.
    struct GroupReply {
      std::string group;
      std::string replyClass;  // Class (25)
      std::string filterId;    // Filter-Id (11)
      std::string framedPool;  // Framed-Pool (88)
    };
    std::vector<std::string> listen;            // "ADDRESS:PORT" (UDP), usually port 1812
    std::vector<std::string> accountingListen;  // "ADDRESS:PORT" (UDP), usually port 1813
    int stateTtl = 60;             // seconds a challenge's State stays valid
    int maxStates = 10000;         // open challenges in all
    int duplicateWindow = 30;      // seconds a reply is kept to answer retransmissions
    int licenceLimit = 0;          // concurrent VPN sessions licensed; 0 = no limit
    int licenceWarningPercent = 90;  // log a warning from this share of licence_limit on
    std::vector<Client> clients;
    std::vector<GroupReply> groups;
  } radius;
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
