#include "cli/cmd_enroll.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "fake_authd.h"

using namespace authd::cli;
using namespace authd::cli::test;

namespace {

const std::string kSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const std::string kUri = "otpauth://totp/authd:alice?secret=" + kSecret +
                         "&issuer=authd&algorithm=SHA1&digits=6&period=30";

nlohmann::json enrollAnswer(const std::string& state = "pending") {
  return {{"credential_id", 7}, {"state", state}, {"secret", kSecret}, {"uri", kUri}};
}

nlohmann::json confirmAnswer(const std::string& result) {
  return {{"result", result}, {"message", "x"}};
}

}  // namespace

TEST_CASE("groupSecret makes 4-character blocks") {
  CHECK(groupSecret("JBSWY3DPEHPK3PXP") == "JBSW Y3DP EHPK 3PXP");
  CHECK(groupSecret("ABCDE") == "ABCD E");
  CHECK(groupSecret("") == "");
}

TEST_CASE("parseEnrollResult cross-checks the URI") {
  std::string error;
  auto good = parseEnrollResult(enrollAnswer(), &error);
  REQUIRE_MESSAGE(good.has_value(), error);
  CHECK(good->credentialId == 7);
  CHECK(good->parsedUri.account == "alice");

  nlohmann::json other = enrollAnswer();
  other["secret"] = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ";
  CHECK_FALSE(parseEnrollResult(other, &error).has_value());
  CHECK(error == "uri and secret differ");
  nlohmann::json badUri = enrollAnswer();
  badUri["uri"] = "https://example.com/";
  CHECK_FALSE(parseEnrollResult(badUri, &error).has_value());
  nlohmann::json badState = enrollAnswer("revoked");
  CHECK_FALSE(parseEnrollResult(badState, &error).has_value());
  nlohmann::json noId = enrollAnswer();
  noId.erase("credential_id");
  CHECK_FALSE(parseEnrollResult(noId, &error).has_value());
}

TEST_CASE("wipeJsonString empties the value in place") {
  nlohmann::json answer = enrollAnswer();
  wipeJsonString(answer, "secret");
  CHECK(answer["secret"] == "");
  CHECK(answer["uri"] == kUri);
}

TEST_CASE("enroll shows URI, grouped secret and QR code, then confirms after one bad code") {
  FakeAuthd fake;
  fake.ok(enrollAnswer());
  fake.ok(confirmAnswer("reject"));
  fake.ok(confirmAnswer("accept"));
  auto r = runAuthctl(
      fake,
      {"enroll", "totp", "alice", "--label", "phone", "--digits", "8", "--algorithm", "sha256"},
      "111111\n123 456\n");
  CHECK(r.exitCode == 0);
  CHECK(r.err.empty());
  REQUIRE(fake.requests.size() == 3);
  CHECK(fake.requests[0] == nlohmann::json{{"op", "enroll_totp"},
                                           {"user", "alice"},
                                           {"confirm", true},
                                           {"label", "phone"},
                                           {"digits", 8},
                                           {"algorithm", "sha256"}});
  CHECK(fake.requests[1] ==
        nlohmann::json{
            {"op", "confirm_totp"}, {"user", "alice"}, {"credential_id", 7}, {"code", "111111"}});
  CHECK(fake.requests[2]["code"] == "123456");
  CHECK(r.out.find("URI:     " + kUri + "\n") != std::string::npos);
  CHECK(r.out.find("Secret:  JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP\n") != std::string::npos);
  CHECK(r.out.find("\u2588\u2588\u2588\u2588") != std::string::npos);  // the QR quiet zone
  CHECK(r.out.find("That code was not accepted (2 tries left).") != std::string::npos);
  CHECK(r.out.find("Credential 7 of alice is now active.") != std::string::npos);
}

TEST_CASE("three rejected codes leave the credential pending and exit 1") {
  FakeAuthd fake;
  fake.ok(enrollAnswer());
  for (int i = 0; i < 3; ++i) fake.ok(confirmAnswer("reject"));
  auto r = runAuthctl(fake, {"enroll", "totp", "alice"}, "111111\n222222\n333333\n444444\n");
  CHECK(r.exitCode == 1);
  CHECK(fake.requests.size() == 4);
  CHECK(countLines(r.err) == 1);
  CHECK(r.err.find("stays pending") != std::string::npos);
  CHECK(r.err.find("'authctl confirm alice 7'") != std::string::npos);
  CHECK(r.err.find("'authctl revoke alice 7'") != std::string::npos);
}

TEST_CASE("input that is not a code counts as a try without asking authd") {
  FakeAuthd fake;
  fake.ok(enrollAnswer());
  auto r = runAuthctl(fake, {"enroll", "totp", "alice"}, "abc\n12345\n\n");
  CHECK(r.exitCode == 1);
  CHECK(fake.requests.size() == 1);
}

TEST_CASE("end of input leaves the credential pending") {
  FakeAuthd fake;
  fake.ok(enrollAnswer());
  auto r = runAuthctl(fake, {"enroll", "totp", "alice"}, "");
  CHECK(r.exitCode == 1);
  CHECK(r.err.rfind("authctl: no code entered; credential 7 of alice stays pending", 0) == 0);
}

TEST_CASE("--no-confirm asks for an active credential and does not prompt") {
  FakeAuthd fake;
  fake.ok(enrollAnswer("active"));
  auto r = runAuthctl(fake, {"enroll", "totp", "alice", "--no-confirm"}, "123456\n");
  CHECK(r.exitCode == 0);
  REQUIRE(fake.requests.size() == 1);
  CHECK(fake.requests[0]["confirm"] == false);
  CHECK(r.out.find("Enter a current code") == std::string::npos);
  CHECK(r.out.find("Credential 7 of alice is active.") != std::string::npos);
}

TEST_CASE("--json prints the result and never prompts") {
  FakeAuthd fake;
  fake.ok(enrollAnswer());
  auto r = runAuthctl(fake, {"--json", "enroll", "totp", "alice"}, "123456\n");
  CHECK(r.exitCode == 0);
  CHECK(fake.requests.size() == 1);
  CHECK(nlohmann::json::parse(r.out) == enrollAnswer());
}

TEST_CASE("a server error during enrolment exits 1") {
  FakeAuthd fake;
  fake.refuse("not_found", "no such account");
  auto r = runAuthctl(fake, {"enroll", "totp", "nobody"});
  CHECK(r.exitCode == 1);
  CHECK(r.err == "authctl: no such account (not_found)\n");
  CHECK(r.out.empty());
}

TEST_CASE("an inconsistent enrol answer exits 1 and tells how to clean up") {
  FakeAuthd fake;
  nlohmann::json answer = enrollAnswer();
  answer["uri"] = "otpauth://totp/authd:alice?secret=JBSWY3DPEHPK3PXP";
  fake.ok(answer);
  auto r = runAuthctl(fake, {"enroll", "totp", "alice"});
  CHECK(r.exitCode == 1);
  CHECK(r.out.empty());
  CHECK(r.err.find("'authctl list alice'") != std::string::npos);
}

TEST_CASE("--qr-png writes a private file and refuses an existing one before enrolling") {
  std::string pattern = (std::filesystem::temp_directory_path() / "enroll_test.XXXXXX").string();
  const std::filesystem::path dir = ::mkdtemp(pattern.data());
  const std::string png = (dir / "alice.png").string();

  FakeAuthd fake;
  fake.ok(enrollAnswer("active"));
  auto first = runAuthctl(fake, {"enroll", "totp", "alice", "--no-confirm", "--qr-png", png});
  CHECK(first.exitCode == 0);
  struct stat st {};
  REQUIRE(::stat(png.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  CHECK(st.st_size > 0);

  auto second = runAuthctl(fake, {"enroll", "totp", "alice", "--no-confirm", "--qr-png", png});
  CHECK(second.exitCode == 2);
  CHECK(second.err.find("refusing to overwrite") != std::string::npos);
  CHECK(fake.requests.size() == 1);  // no credential was created for the refused call
  std::filesystem::remove_all(dir);
}
