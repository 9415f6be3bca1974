// Persistent soft keys: what one SoftAuthenticator saves, the next one with the same statePath
// (as in another process) loads; malformed files are refused whole.
#include "fido2/state_file.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "fido2/soft_authenticator.h"
#include "fido2/virtual_device.h"
#include "fido2_test_util.h"

using namespace authd::testing;

namespace {

struct StateDir {
  std::filesystem::path path;
  StateDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "soft-state-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~StateDir() { std::filesystem::remove_all(path); }
  std::string file() const { return (path / "key.state").string(); }
};

SoftAuthenticatorConfig persistent(const std::string& file, std::optional<uint64_t> seed = 1) {
  SoftAuthenticatorConfig config;
  config.name = "persistent";
  config.statePath = file;
  config.seed = seed;
  return config;
}

Bytes readAll(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

void writeAll(const std::string& file, const Bytes& data) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

}  // namespace

TEST_CASE("a new state file is created at construction, mode 0600") {
  StateDir dir;
  SoftAuthenticator key(persistent(dir.file()));
  REQUIRE(std::filesystem::exists(dir.file()));
  const auto perms = std::filesystem::status(dir.file()).permissions();
  CHECK((perms & std::filesystem::perms::group_all) == std::filesystem::perms::none);
  CHECK((perms & std::filesystem::perms::others_all) == std::filesystem::perms::none);
}

TEST_CASE("credentials of every algorithm, counter, PIN and AAGUID survive a restart") {
  StateDir dir;
  const Bytes cdh = clientDataHash(0x61);
  std::vector<CredPtr> creds;
  std::array<uint8_t, 16> aaguid{};
  uint32_t counter = 0;
  {
    SoftAuthenticator key(persistent(dir.file(), std::nullopt));
    aaguid = key.aaguid();
    FidoDevicePtr dev = openSoftDevice(key.path());
    REQUIRE(fido_dev_set_pin(dev.get(), "4711", nullptr) == FIDO_OK);
    for (int type : {COSE_ES256, COSE_EDDSA, COSE_RS256}) {
      creds.push_back(credRequestFor(type, cdh));
      REQUIRE(fido_dev_make_cred(dev.get(), creds.back().get(), "4711") == FIDO_OK);
    }
    CredPtr wrong = credRequest(cdh);
    CHECK(fido_dev_make_cred(dev.get(), wrong.get(), "0000") == FIDO_ERR_PIN_INVALID);
    counter = key.signCount();
  }
  SoftAuthenticator again(persistent(dir.file(), std::nullopt));
  CHECK(again.aaguid() == aaguid);
  CHECK(again.credentialCount() == 3);
  CHECK(again.credentialAlgorithms() == std::vector<int64_t>{COSE_ES256, COSE_EDDSA, COSE_RS256});
  CHECK(again.hasPin());
  CHECK(again.pinRetries() == 7);
  CHECK(again.signCount() == counter);
  FidoDevicePtr dev = openSoftDevice(again.path());
  REQUIRE(dev);
  for (const CredPtr& cred : creds) {
    AssertPtr got = assertRequest(cdh, cred.get());
    REQUIRE(fido_dev_get_assert(dev.get(), got.get(), "4711") == FIDO_OK);
    CHECK(verifyAssertionAs(got.get(), cdh, cred.get()) == FIDO_OK);
    CHECK(fido_assert_sigcount(got.get(), 0) > counter);
    counter = fido_assert_sigcount(got.get(), 0);
  }
  CHECK(again.pinRetries() == 8);  // the right PIN restored them, and that was saved too
}

TEST_CASE("a seeded key resumes its generator: no repeated credential ids after a restart") {
  StateDir dir;
  const Bytes cdh = clientDataHash(0x62);
  Bytes firstId;
  {
    SoftAuthenticator key(persistent(dir.file()));
    FidoDevicePtr dev = openSoftDevice(key.path());
    CredPtr cred = credRequest(cdh);
    REQUIRE(fido_dev_make_cred(dev.get(), cred.get(), nullptr) == FIDO_OK);
    firstId = view(fido_cred_id_ptr(cred.get()), fido_cred_id_len(cred.get()));
  }
  SoftAuthenticator again(persistent(dir.file()));
  FidoDevicePtr dev = openSoftDevice(again.path());
  CredPtr cred = credRequest(cdh);
  REQUIRE(fido_dev_make_cred(dev.get(), cred.get(), nullptr) == FIDO_OK);
  CHECK(view(fido_cred_id_ptr(cred.get()), fido_cred_id_len(cred.get())) != firstId);
  CHECK(again.credentialCount() == 2);
}

TEST_CASE("a configured AAGUID wins over the stored one") {
  StateDir dir;
  { SoftAuthenticator key(persistent(dir.file())); }
  SoftAuthenticatorConfig config = persistent(dir.file());
  config.aaguid = std::array<uint8_t, 16>{1, 2, 3};
  SoftAuthenticator key(config);
  CHECK(key.aaguid() == *config.aaguid);
}

TEST_CASE("reset is persisted") {
  StateDir dir;
  {
    SoftAuthenticator key(persistent(dir.file()));
    key.setPin("4711");
    FidoDevicePtr dev = openSoftDevice(key.path());
    CredPtr cred = credRequest(clientDataHash(1));
    REQUIRE(fido_dev_make_cred(dev.get(), cred.get(), "4711") == FIDO_OK);
    REQUIRE(fido_dev_reset(dev.get()) == FIDO_OK);
  }
  SoftAuthenticator again(persistent(dir.file()));
  CHECK(again.credentialCount() == 0);
  CHECK_FALSE(again.hasPin());
}

TEST_CASE("truncated, extended or corrupted state is refused whole, never half-loaded") {
  StateDir dir;
  {
    SoftAuthenticator key(persistent(dir.file()));
    key.setPin("4711");
    FidoDevicePtr dev = openSoftDevice(key.path());
    for (int type : {COSE_ES256, COSE_EDDSA}) {
      CredPtr cred = credRequestFor(type, clientDataHash(1));
      REQUIRE(fido_dev_make_cred(dev.get(), cred.get(), "4711") == FIDO_OK);
    }
  }
  const Bytes good = readAll(dir.file());
  AuthenticatorState probe(SoftAuthenticatorConfig{});
  REQUIRE(restoreState(probe, good));
  CHECK(probe.credentials.size() == 2);

  for (size_t length = 0; length < good.size(); ++length) {
    AuthenticatorState state(SoftAuthenticatorConfig{});
    CAPTURE(length);
    CHECK_FALSE(restoreState(state, ByteView(good).first(length)));
    CHECK(state.credentials.size() == 0);
    CHECK(state.pin.pinHash.empty());
  }
  Bytes extended = good;
  extended.push_back(0);
  AuthenticatorState state(SoftAuthenticatorConfig{});
  CHECK_FALSE(restoreState(state, extended));

  // Every single-byte change is either refused or parsed without crashing (sanitizer builds).
  size_t refused = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    Bytes flipped = good;
    flipped[i] ^= 0x80;
    AuthenticatorState s(SoftAuthenticatorConfig{});
    if (!restoreState(s, flipped)) ++refused;
  }
  CHECK(refused > 0);

  writeAll(dir.file(), extended);
  CHECK_THROWS_AS(SoftAuthenticator(persistent(dir.file())), std::runtime_error);
  writeAll(dir.file(), Bytes{'S', 'F', 'I', 'D', 'O', '2', 0, 9});  // unknown version
  CHECK_THROWS_AS(SoftAuthenticator(persistent(dir.file())), std::runtime_error);
}

TEST_CASE("an unusable state path is a setup error at construction") {
  CHECK_THROWS_AS(SoftAuthenticator(persistent("/nonexistent-dir/key.state")), std::runtime_error);
}

TEST_CASE("a save that fails later is reported on stderr; the key keeps working in memory") {
  StateDir dir;
  const std::filesystem::path sub = dir.path / "sub";
  std::filesystem::create_directory(sub);
  SoftAuthenticator key(persistent((sub / "key.state").string()));
  std::filesystem::remove_all(sub);
  FidoDevicePtr dev = openSoftDevice(key.path());
  CredPtr cred = credRequest(clientDataHash(1));
  CHECK(fido_dev_make_cred(dev.get(), cred.get(), nullptr) == FIDO_OK);
  CHECK(key.credentialCount() == 1);
  CHECK_FALSE(std::filesystem::exists(sub));
}
