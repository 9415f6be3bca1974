#include "cli/commands.h"

#include <doctest/doctest.h>

#include "fake_authd.h"

using authd::ClientError;
using namespace authd::cli;
using namespace authd::cli::test;

TEST_CASE("client errors map to exit codes") {
  CHECK(exitCodeForClientError({ClientError::Kind::connect, "x"}) == kExitUnreachable);
  CHECK(exitCodeForClientError({ClientError::Kind::timeout, "x"}) == kExitUnreachable);
  CHECK(exitCodeForClientError({ClientError::Kind::io, "x"}) == kExitUnreachable);
  CHECK(exitCodeForClientError({ClientError::Kind::protocol, "x"}) == kExitFailed);
}

TEST_CASE("an unreachable authd exits 3 naming the socket, with a hint") {
  FakeAuthd fake;
  fake.unreachable(ClientError::Kind::connect,
                   "cannot connect to /tmp/a.sock: No such file or directory");
  auto r = runAuthctl(fake, {"--socket", "/tmp/a.sock", "unlock", "alice"});
  CHECK(r.exitCode == 3);
  CHECK(r.out.empty());
  CHECK(r.err ==
        "authctl: cannot reach authd at /tmp/a.sock: No such file or directory; is authd "
        "running? (--socket or $AUTHD_SOCKET choose the socket)\n");
}

TEST_CASE("a timeout exits 3 and names the timeout") {
  FakeAuthd fake;
  fake.unreachable(ClientError::Kind::timeout, "authd did not answer in time");
  auto r = runAuthctl(fake, {"unlock", "alice", "--timeout", "2.5"});
  CHECK(r.exitCode == 3);
  CHECK(r.options.timeoutSeconds == 2.5);
  CHECK(r.err.find("did not answer within 2.5 s") != std::string::npos);
  CHECK(countLines(r.err) == 1);
}

TEST_CASE("a malformed response exits 1") {
  FakeAuthd fake;
  fake.unreachable(ClientError::Kind::protocol, "malformed response envelope");
  auto r = runAuthctl(fake, {"unlock", "alice"});
  CHECK(r.exitCode == 1);
  CHECK(r.err.rfind("authctl: authd at ", 0) == 0);
}

TEST_CASE("an ok:false answer exits 1 with message and error code on one line") {
  FakeAuthd fake;
  fake.refuse("forbidden", "admin operations need root or the admin group");
  auto r = runAuthctl(fake, {"revoke", "alice", "7"});
  CHECK(r.exitCode == 1);
  CHECK(r.out.empty());
  CHECK(r.err == "authctl: admin operations need root or the admin group (forbidden)\n");
}

TEST_CASE("control characters from authd are not passed to the terminal") {
  FakeAuthd fake;
  fake.refuse("not_found", "no\x1b[2Jsuch\ncredential");
  auto r = runAuthctl(fake, {"revoke", "alice", "7"});
  CHECK(r.err == "authctl: no\\x1b[2Jsuch\\x0acredential (not_found)\n");
}

TEST_CASE("usage errors exit 2 with one line and contact nobody") {
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {},
           {"frobnicate"},
           {"revoke", "alice"},
           {"revoke", "alice", "seven"},
           {"revoke", "alice", "-1"},
           {"enroll", "totp", "alice", "--digits", "7"},
           {"enroll", "totp", "alice", "--algorithm", "md5"},
           {"enroll", "totp"},
           {"enroll", "alice"},
           {"audit", "--limit", "0"},
           {"audit", "--limit", "1001"},
           {"audit", "--since", "yesterday"},
           {"list", "--timeout", "0"},
           {"unlock", std::string(257, 'a')},
           {"confirm", "alice", "7", "12345"},
           {"confirm", "alice", "7", "--json"},
           {"reinstate", "alice"},
           {"enroll", "fido2", "alice", "--uv", "always"},
       }) {
    CAPTURE(args.size());
    FakeAuthd fake;
    auto r = runAuthctl(fake, args);
    CHECK(r.exitCode == 2);
    CHECK(countLines(r.err) == 1);
    CHECK(r.err.rfind("authctl: ", 0) == 0);
    CHECK(fake.requests.empty());
  }
}

TEST_CASE("--help and --version succeed and print to stdout") {
  FakeAuthd fake;
  auto help = runAuthctl(fake, {"--help"});
  CHECK(help.exitCode == 0);
  CHECK(help.out.find("audit") != std::string::npos);
  auto version = runAuthctl(fake, {"--version"});
  CHECK(version.exitCode == 0);
  CHECK(version.out == "authctl " AUTHD_VERSION "\n");
  CHECK(fake.requests.empty());
}

TEST_CASE("global options may come before or after the command") {
  FakeAuthd fake;
  fake.ok({{"user", "alice"}, {"cleared_failures", 2}});
  fake.ok({{"user", "alice"}, {"cleared_failures", 0}});
  auto before = runAuthctl(fake, {"--json", "--socket", "/x.sock", "unlock", "alice"});
  auto after = runAuthctl(fake, {"unlock", "alice", "--json", "--socket", "/y.sock"});
  CHECK(before.options.socketPath == "/x.sock");
  CHECK(after.options.socketPath == "/y.sock");
  CHECK(before.out == "{\"cleared_failures\":2,\"user\":\"alice\"}\n");
  CHECK(after.out == "{\"cleared_failures\":0,\"user\":\"alice\"}\n");
}

TEST_CASE("the socket defaults to $AUTHD_SOCKET") {
  ::setenv("AUTHD_SOCKET", "/env/authd.sock", 1);
  FakeAuthd fake;
  fake.ok({{"user", "alice"}, {"cleared_failures", 0}});
  auto r = runAuthctl(fake, {"unlock", "alice"});
  ::unsetenv("AUTHD_SOCKET");
  CHECK(r.options.socketPath == "/env/authd.sock");
  CHECK(r.options.timeoutSeconds == 10);
}

TEST_CASE("resultFields drops the envelope only") {
  nlohmann::json response = {{"v", 1}, {"id", 3}, {"ok", true}, {"revoked", 7}};
  CHECK(resultFields(response) == nlohmann::json{{"revoked", 7}});
}

TEST_CASE("unlock and revoke send the protocol's requests and print one line") {
  FakeAuthd fake;
  fake.ok({{"user", "bob"}, {"cleared_failures", 1}});
  fake.ok({{"revoked", 7}});
  auto unlock = runAuthctl(fake, {"unlock", "bob"});
  auto revoke = runAuthctl(fake, {"revoke", "alice", "7"});
  REQUIRE(fake.requests.size() == 2);
  CHECK(fake.requests[0] == nlohmann::json{{"op", "unlock"}, {"user", "bob"}});
  CHECK(fake.requests[1] ==
        nlohmann::json{{"op", "revoke"}, {"user", "alice"}, {"credential_id", 7}});
  CHECK(unlock.exitCode == 0);
  CHECK(unlock.out == "Unlocked bob (1 failed attempt cleared).\n");
  CHECK(revoke.exitCode == 0);
  CHECK(revoke.out == "Revoked credential 7 of alice.\n");
}

TEST_CASE("a revoke answer naming another credential is an error") {
  FakeAuthd fake;
  fake.ok({{"revoked", 8}});
  auto r = runAuthctl(fake, {"revoke", "alice", "7"});
  CHECK(r.exitCode == 1);
  CHECK(r.out.empty());
}

// --- --server -----------------------------------------------------------------------------------

namespace {

// Files --cert, --key and --ca may name: anything readable will do, nothing is opened as TLS.
const std::string kReadable = "/proc/self/status";

std::vector<std::string> serverArgs(std::vector<std::string> command) {
  std::vector<std::string> args = {
      "--server", "authd-1.stadt.test:8443", "--cert", kReadable, "--key", kReadable, "--ca",
      kReadable};
  args.insert(args.end(), command.begin(), command.end());
  return args;
}

}  // namespace

TEST_CASE("--server with its files reaches the transport factory") {
  FakeAuthd fake;
  fake.ok({{"user", "alice"}, {"cleared_failures", 0}});
  auto r = runAuthctl(fake, serverArgs({"unlock", "alice"}));
  CHECK(r.exitCode == 0);
  CHECK(r.options.server == "authd-1.stadt.test:8443");
  CHECK(r.options.certFile == kReadable);
}

TEST_CASE("--server without --cert, --key or --ca is a usage error naming what is missing") {
  FakeAuthd fake;
  auto r = runAuthctl(fake, {"--server", "127.0.0.1", "--key", kReadable, "list"});
  CHECK(r.exitCode == kExitUsage);
  CHECK(r.err.rfind("authctl: --server needs --cert, --ca (", 0) == 0);
  CHECK(countLines(r.err) == 1);
  CHECK(fake.requests.empty());
}

TEST_CASE("--server: a bad address or an unreadable file is a usage error") {
  for (const char* bad : {"authd:0", "authd:99999", "2001:db8::1", "a_b.example"}) {
    CAPTURE(bad);
    FakeAuthd fake;
    std::vector<std::string> args = serverArgs({"list"});
    args[1] = bad;
    auto r = runAuthctl(fake, args);
    CHECK(r.exitCode == kExitUsage);
    CHECK(r.err.find("is not HOST[:PORT]") != std::string::npos);
  }
  FakeAuthd fake;
  std::vector<std::string> args = serverArgs({"list"});
  args[5] = "/nonexistent/admin.key";
  auto r = runAuthctl(fake, args);
  CHECK(r.exitCode == kExitUsage);
  CHECK(r.err.find("--key /nonexistent/admin.key: cannot read it") != std::string::npos);
  CHECK(fake.requests.empty());
}

TEST_CASE("--socket and --server together are a usage error") {
  FakeAuthd fake;
  std::vector<std::string> args = serverArgs({"list"});
  args.insert(args.begin(), {"--socket", "/x.sock"});
  auto r = runAuthctl(fake, args);
  CHECK(r.exitCode == kExitUsage);
  CHECK(r.err.find("--socket and --server exclude each other") != std::string::npos);
}

TEST_CASE("$AUTHD_SERVER and friends are the defaults; --socket wins over $AUTHD_SERVER") {
  ::setenv("AUTHD_SERVER", "authd-2.stadt.test", 1);
  ::setenv("AUTHD_CERT", kReadable.c_str(), 1);
  ::setenv("AUTHD_KEY", kReadable.c_str(), 1);
  ::setenv("AUTHD_CA", kReadable.c_str(), 1);
  FakeAuthd fake;
  fake.ok({{"user", "alice"}, {"cleared_failures", 0}});
  fake.ok({{"user", "alice"}, {"cleared_failures", 0}});
  auto fromEnv = runAuthctl(fake, {"unlock", "alice"});
  auto local = runAuthctl(fake, {"unlock", "alice", "--socket", "/x.sock"});
  for (const char* name : {"AUTHD_SERVER", "AUTHD_CERT", "AUTHD_KEY", "AUTHD_CA"}) {
    ::unsetenv(name);
  }
  CHECK(fromEnv.exitCode == 0);
  CHECK(fromEnv.options.server == "authd-2.stadt.test");
  CHECK(fromEnv.options.caFile == kReadable);
  CHECK(local.exitCode == 0);
  CHECK(local.options.server.empty());
  CHECK(local.options.socketPath == "/x.sock");
}

TEST_CASE("an unreachable server exits 3 naming the server, with a hint") {
  FakeAuthd fake;
  fake.unreachable(ClientError::Kind::connect,
                   "the server's certificate was refused: hostname mismatch");
  auto r = runAuthctl(fake, serverArgs({"list"}));
  CHECK(r.exitCode == kExitUnreachable);
  CHECK(r.err ==
        "authctl: cannot reach authd at authd-1.stadt.test:8443: the server's certificate was "
        "refused: hostname mismatch; check --server and the TLS files (--cert, --key, --ca)\n");
}

TEST_CASE("a forbidden answer over --server says which certificates may administer") {
  FakeAuthd fake;
  fake.refuse("forbidden", "this operation needs root or the admin group");
  auto r = runAuthctl(fake, serverArgs({"list"}));
  CHECK(r.exitCode == kExitFailed);
  CHECK(r.err ==
        "authctl: this operation needs root or the admin group (forbidden); over --server, admin "
        "operations need a certificate named in authd's tls.admins\n");
}
