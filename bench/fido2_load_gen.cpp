// fido2_load_gen: the client side of the FIDO2 assertion benchmark (bench/run_fido2.sh,
// docs/performance.md). It plays a software security key per user: ES256 key pairs made with
// OpenSSL, authenticator data and CBOR built here, so no USB key or libfido2 is involved.
//   fido2_load_gen enroll --socket S --users N --rp-id R --out FILE [--concurrency C]
//     registers one key for each of bench0000.. through fido2_register_begin/finish (packed self
//     attestation; the caller must be an authd admin) and saves "user credential-id counter
//     private-key" lines to FILE (mode 0600; binary fields base64url, the key as SEC1 DER).
//   fido2_load_gen run --socket S --users-file FILE --rp-id R --concurrency C --requests N
//                      --max-seconds T
//     C connections, each looping fido2_begin -> sign -> verify (factor fido2) with one logon in
//     flight; a user is never in two logons at once, so each user's signature counter reaches
//     authd in the order it was incremented. Prints one result line and writes the advanced
//     counters back to FILE, so that a later run starts above what authd stored.
// Single-threaded (Asio coroutines), so the client takes at most one of the machine's cores.

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <cbor.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <CLI/CLI.hpp>
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "authd/base64url.h"
#include "authd/wipe.h"
#include "bench_util.h"
#include "line_connection.h"

namespace asio = boost::asio;
using nlohmann::json;
using stream_protocol = asio::local::stream_protocol;

namespace authd::bench {
namespace {

constexpr std::size_t kChallengeBytes = 32;
constexpr std::size_t kCredentialIdBytes = 32;
constexpr std::size_t kCoordinateBytes = 32;
constexpr std::uint8_t kFlagUserPresent = 0x01;
constexpr std::uint8_t kFlagAttestedData = 0x40;
constexpr std::int64_t kCoseEs256 = -7;
// The AAGUID of this software "model" ("authd-bench-key" + NUL): fido2.aaguids may name it.
constexpr std::array<unsigned char, 16> kAaguid = {'a', 'u', 't', 'h', 'd', '-', 'b', 'e',
                                                   'n', 'c', 'h', '-', 'k', 'e', 'y', 0};
const char* const kService = "bench";
const char* const kProgram = "fido2_load_gen";

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct CborFree {
  void operator()(cbor_item_t* p) const { cbor_decref(&p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using CborPtr = std::unique_ptr<cbor_item_t, CborFree>;
using Sha256 = std::array<unsigned char, SHA256_DIGEST_LENGTH>;

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

// The server is not set up as the benchmark expects (another rp_id): stops a worker.
struct WrongServer : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// ---- the software key -----------------------------------------------------------------------

// One bench user's security key: credential id, ES256 key pair and signature counter.
struct SoftKey {
  std::string user;
  Bytes credentialId;
  PkeyPtr key;
  PkeyCtxPtr signer;  // initialised once: ECDSA over a SHA-256 digest
  std::uint32_t counter = 0;
  bool inFlight = false;  // a logon is out: a second one could commit first with a lower counter
};

PkeyCtxPtr makeSigner(EVP_PKEY* key) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) != 1) {
    fail("cannot set up ECDSA signing");
  }
  return ctx;
}

PkeyPtr generateEs256Key() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) fail("EVP_EC_gen(P-256) failed");
  return key;
}

Bytes randomBytes(std::size_t n) {
  Bytes out(n);
  if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) fail("RAND_bytes failed");
  return out;
}

Sha256 sha256Of(std::span<const unsigned char> first, std::span<const unsigned char> second) {
  Bytes message(first.begin(), first.end());
  message.insert(message.end(), second.begin(), second.end());
  Sha256 digest{};
  SHA256(message.data(), message.size(), digest.data());
  return digest;
}

// DER ECDSA signature over SHA-256(first ‖ second), as an authenticator signs
// authenticatorData ‖ clientDataHash.
Bytes sign(EVP_PKEY_CTX* signer, std::span<const unsigned char> first,
           std::span<const unsigned char> second) {
  const Sha256 digest = sha256Of(first, second);
  std::size_t length = 0;
  if (EVP_PKEY_sign(signer, nullptr, &length, digest.data(), digest.size()) != 1) {
    fail("EVP_PKEY_sign (size) failed");
  }
  Bytes signature(length);
  if (EVP_PKEY_sign(signer, signature.data(), &length, digest.data(), digest.size()) != 1) {
    fail("EVP_PKEY_sign failed");
  }
  signature.resize(length);
  return signature;
}

// The uncompressed public point 0x04 ‖ x ‖ y.
Bytes publicPoint(EVP_PKEY* key) {
  Bytes point(1 + 2 * kCoordinateBytes);
  std::size_t length = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size(),
                                      &length) != 1 ||
      length != point.size() || point[0] != 0x04) {
    fail("cannot read the public point");
  }
  return point;
}

// ---- CBOR and authenticator data ------------------------------------------------------------

Bytes serialize(const CborPtr& item) {
  unsigned char* buffer = nullptr;
  std::size_t capacity = 0;
  const std::size_t length = cbor_serialize_alloc(item.get(), &buffer, &capacity);
  if (length == 0 || buffer == nullptr) fail("cbor_serialize_alloc failed");
  Bytes out(buffer, buffer + length);
  std::free(buffer);
  return out;
}

// CBOR integer in shortest form (libcbor picks the head size from the builder used).
cbor_item_t* smallInt(std::int64_t value) {
  return value >= 0 ? cbor_build_uint8(static_cast<std::uint8_t>(value))
                    : cbor_build_negint8(static_cast<std::uint8_t>(-1 - value));
}

void put(cbor_item_t* map, cbor_item_t* key, cbor_item_t* value) {
  if (key == nullptr || value == nullptr ||
      !cbor_map_add(map, cbor_pair{cbor_move(key), cbor_move(value)})) {
    fail("cbor_map_add failed");
  }
}

// COSE_Key {1: 2, 3: -7, -1: 1, -2: x, -3: y}: keys in CTAP2 canonical order.
Bytes coseKeyEs256(const Bytes& point) {
  CborPtr map(cbor_new_definite_map(5));
  if (!map) fail("cbor_new_definite_map failed");
  const unsigned char* x = point.data() + 1;
  const unsigned char* y = x + kCoordinateBytes;
  put(map.get(), smallInt(1), smallInt(2));           // kty: EC2
  put(map.get(), smallInt(3), smallInt(kCoseEs256));  // alg: ES256
  put(map.get(), smallInt(-1), smallInt(1));          // crv: P-256
  put(map.get(), smallInt(-2), cbor_build_bytestring(x, kCoordinateBytes));
  put(map.get(), smallInt(-3), cbor_build_bytestring(y, kCoordinateBytes));
  return serialize(map);
}

// packed self attestation statement {"alg": -7, "sig": signature}.
Bytes packedSelfStatement(const Bytes& signature) {
  CborPtr map(cbor_new_definite_map(2));
  if (!map) fail("cbor_new_definite_map failed");
  put(map.get(), cbor_build_string("alg"), smallInt(kCoseEs256));
  put(map.get(), cbor_build_string("sig"),
      cbor_build_bytestring(signature.data(), signature.size()));
  return serialize(map);
}

void appendBigEndian(Bytes& out, std::uint64_t value, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) {
    out.push_back(static_cast<unsigned char>(value >> shift));
  }
}

Sha256 rpIdHash(const std::string& rpId) {
  Sha256 hash{};
  SHA256(reinterpret_cast<const unsigned char*>(rpId.data()), rpId.size(), hash.data());
  return hash;
}

// rpIdHash ‖ flags ‖ signCount (big-endian).
Bytes authDataHead(const Sha256& rpHash, std::uint8_t flags, std::uint32_t counter) {
  Bytes out(rpHash.begin(), rpHash.end());
  out.push_back(flags);
  appendBigEndian(out, counter, 4);
  return out;
}

// Registration: head (UP|AT, counter 0) ‖ AAGUID ‖ credIdLen ‖ credId ‖ COSE_Key.
Bytes registrationAuthData(const Sha256& rpHash, const Bytes& credentialId, const Bytes& coseKey) {
  Bytes out = authDataHead(rpHash, kFlagUserPresent | kFlagAttestedData, 0);
  out.insert(out.end(), kAaguid.begin(), kAaguid.end());
  appendBigEndian(out, credentialId.size(), 2);
  out.insert(out.end(), credentialId.begin(), credentialId.end());
  out.insert(out.end(), coseKey.begin(), coseKey.end());
  return out;
}

// ---- users file -----------------------------------------------------------------------------

std::string privateKeyText(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int length = i2d_PrivateKey(key, &der);
  if (length <= 0 || der == nullptr) fail("i2d_PrivateKey failed");
  std::string text = base64urlEncode(std::span<const unsigned char>(der, der + length));
  OPENSSL_clear_free(der, static_cast<std::size_t>(length));
  return text;
}

PkeyPtr privateKeyFrom(const std::string& text) {
  std::optional<Bytes> der = base64urlDecode(text, 1024);
  if (!der) return nullptr;
  const unsigned char* cursor = der->data();
  PkeyPtr key(d2i_PrivateKey(EVP_PKEY_EC, nullptr, &cursor, static_cast<long>(der->size())));
  OPENSSL_cleanse(der->data(), der->size());
  return key;
}

// Written to a temporary file and renamed, so an interrupted write never loses the counters.
void writeUsersFile(const std::string& path, const std::vector<SoftKey>& keys) {
  const std::string temporary = path + ".tmp";
  FILE* file = createPrivateFile(temporary);
  for (const SoftKey& k : keys) {
    std::string secret = privateKeyText(k.key.get());
    std::fprintf(file, "%s %s %u %s\n", k.user.c_str(), base64urlEncode(k.credentialId).c_str(),
                 k.counter, secret.c_str());
    wipeString(secret);
  }
  if (std::fclose(file) != 0) fail(temporary + ": write failed");
  if (std::rename(temporary.c_str(), path.c_str()) != 0) fail(path + ": rename failed");
}

SoftKey parseUserLine(std::string& line, std::size_t number, const std::string& path) {
  std::istringstream fields(line);
  SoftKey k;
  std::string id;
  std::string secret;
  std::string rest;
  fields >> k.user >> id >> k.counter >> secret;
  const bool complete = !fields.fail() && !(fields >> rest);
  std::optional<Bytes> credentialId = base64urlDecode(id, 1023);
  if (complete) k.key = privateKeyFrom(secret);
  wipeString(secret);
  wipeString(line);
  if (!complete || k.user.empty() || k.user.size() > protocol::kMaxUserBytes || !credentialId ||
      credentialId->empty() || !k.key) {
    fail(path + ": malformed line " + std::to_string(number));
  }
  k.credentialId = std::move(*credentialId);
  k.signer = makeSigner(k.key.get());
  return k;
}

std::vector<SoftKey> readUsersFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail(path + ": cannot open");
  std::vector<SoftKey> keys;
  std::string line;
  while (std::getline(in, line)) keys.push_back(parseUserLine(line, keys.size() + 1, path));
  if (keys.empty()) fail(path + ": no users");
  return keys;
}

// The challenge of a successful fido2_begin / fido2_register_begin answer for `rpId`.
std::optional<Bytes> challengeOf(const json& answer, const std::string& rpId) {
  if (!answer.is_object() || !answer.value("ok", false) || !answer.contains("challenge") ||
      !answer["challenge"].is_string()) {
    return std::nullopt;
  }
  if (answer.value("rp_id", std::string()) != rpId) {
    throw WrongServer("authd's fido2.rp_id is not --rp-id " + rpId);
  }
  std::optional<Bytes> challenge =
      base64urlDecode(answer["challenge"].get<std::string>(), kChallengeBytes);
  if (!challenge || challenge->size() != kChallengeBytes) return std::nullopt;
  return challenge;
}

// ---- enroll ---------------------------------------------------------------------------------

struct EnrollContext {
  stream_protocol::endpoint endpoint;
  std::string rpId;
  Sha256 rpHash{};
  int total = 0;
  int next = 0;
  std::vector<std::optional<SoftKey>> keys;  // by user index; empty where enrolment failed
  ErrorCounts errors;
};

json registerFinishRequest(const std::string& user, const Bytes& challenge, const Bytes& authData,
                           const Bytes& attStmt, std::int64_t id) {
  const std::string challengeText = base64urlEncode(challenge);
  return {{"v", 1},
          {"id", id},
          {"op", "fido2_register_finish"},
          {"user", user},
          {"challenge", challengeText},
          {"fmt", "packed"},
          {"auth_data", base64urlEncode(authData)},
          {"att_stmt", base64urlEncode(attStmt)},
          {"client_data_hash", challengeText}};  // CTAP clients: clientDataHash = challenge
}

// One registration; false (and an error counted) when authd refused it.
asio::awaitable<bool> registerOne(EnrollContext& ctx, LineConnection& conn, int index) {
  SoftKey k;
  k.user = userName(index, ctx.total);
  const json begin = {{"v", 1},         {"id", 2 * index},      {"op", "fido2_register_begin"},
                      {"user", k.user}, {"label", "bench key"}, {"uv", "discouraged"}};
  const json began = co_await conn.call(begin);
  const std::optional<Bytes> challenge = challengeOf(began, ctx.rpId);
  if (!challenge) {
    noteError(ctx.errors, began, "fido2_register_begin");
    co_return false;
  }
  k.key = generateEs256Key();
  k.signer = makeSigner(k.key.get());
  k.credentialId = randomBytes(kCredentialIdBytes);
  const Bytes authData =
      registrationAuthData(ctx.rpHash, k.credentialId, coseKeyEs256(publicPoint(k.key.get())));
  const Bytes attStmt = packedSelfStatement(sign(k.signer.get(), authData, *challenge));
  const json finish = registerFinishRequest(k.user, *challenge, authData, attStmt, 2 * index + 1);
  const json finished = co_await conn.call(finish);
  if (!finished.value("ok", false) ||
      finished.value("fido2_id", std::string()) != base64urlEncode(k.credentialId)) {
    noteError(ctx.errors, finished, "fido2_register_finish");
    co_return false;
  }
  ctx.keys[static_cast<std::size_t>(index)] = std::move(k);
  co_return true;
}

asio::awaitable<void> enrollWorker(EnrollContext& ctx) {
  try {
    LineConnection conn(co_await asio::this_coro::executor);
    co_await conn.connect(ctx.endpoint);
    while (ctx.next < ctx.total) co_await registerOne(ctx, conn, ctx.next++);
  } catch (const WrongServer& e) {
    ++ctx.errors[e.what()];
  } catch (const std::exception&) {
    ++ctx.errors["connection"];  // exception texts may quote answer bytes
  }
}

int enrollMode(const std::string& socketPath, const std::string& rpId, const EnrolOptions& o) {
  EnrollContext ctx;
  ctx.endpoint = stream_protocol::endpoint(socketPath);
  ctx.rpId = rpId;
  ctx.rpHash = rpIdHash(rpId);
  ctx.total = o.users;
  ctx.keys.resize(static_cast<std::size_t>(o.users));
  const EnrolOutcome outcome = runEnrolment(o.concurrency, [&ctx] { return enrollWorker(ctx); });
  std::vector<SoftKey> enrolled;
  for (auto& k : ctx.keys) {
    if (k) enrolled.push_back(std::move(*k));
  }
  writeUsersFile(o.out, enrolled);
  return reportEnrolment(kProgram, static_cast<std::int64_t>(enrolled.size()), o.users, outcome,
                         ctx.errors);
}

// ---- run ------------------------------------------------------------------------------------

struct RunContext : LoadTally {
  RunContext(const std::string& socket, const std::string& rp, std::vector<SoftKey>& softKeys,
             std::int64_t count)
      : endpoint(socket), rpId(rp), rpHash(rpIdHash(rp)), keys(softKeys) {
    requests = count;
  }

  stream_protocol::endpoint endpoint;
  std::string rpId;
  Sha256 rpHash{};
  std::vector<SoftKey>& keys;
  std::size_t cursor = 0;
};

// Round robin over the users, skipping any with a logon still out.
SoftKey* pickKey(RunContext& ctx) {
  for (std::size_t tried = 0; tried < ctx.keys.size(); ++tried) {
    SoftKey& k = ctx.keys[ctx.cursor];
    ctx.cursor = (ctx.cursor + 1) % ctx.keys.size();
    if (!k.inFlight) {
      k.inFlight = true;
      return &k;
    }
  }
  return nullptr;
}

bool allows(const json& answer, const std::string& credentialId) {
  if (!answer.contains("allow") || !answer["allow"].is_array()) return false;
  for (const auto& id : answer["allow"]) {
    if (id.is_string() && id.get_ref<const std::string&>() == credentialId) return true;
  }
  return false;
}

// What the key answers: authData with UP and the next counter, signed with the challenge.
json assertionRequest(const RunContext& ctx, SoftKey& k, const Bytes& challenge,
                      const std::string& credentialText, std::int64_t id) {
  const Bytes authData = authDataHead(ctx.rpHash, kFlagUserPresent, ++k.counter);
  const std::string challengeText = base64urlEncode(challenge);
  return {{"v", 1},
          {"id", id},
          {"op", "verify"},
          {"user", k.user},
          {"factor", "fido2"},
          {"challenge", challengeText},
          {"credential", credentialText},
          {"auth_data", base64urlEncode(authData)},
          {"signature", base64urlEncode(sign(k.signer.get(), authData, challenge))},
          {"client_data_hash", challengeText},
          {"service", kService}};
}

// fido2_begin, sign, verify: one logon of `k` on `conn`.
asio::awaitable<void> logonOnce(RunContext& ctx, LineConnection& conn, SoftKey& k,
                                std::int64_t& id) {
  const auto sent = SteadyClock::now();
  const json begin = {
      {"v", 1}, {"id", ++id}, {"op", "fido2_begin"}, {"user", k.user}, {"service", kService}};
  const json began = co_await conn.call(begin);
  const std::string credentialText = base64urlEncode(k.credentialId);
  const std::optional<Bytes> challenge = challengeOf(began, ctx.rpId);
  if (!challenge) {
    noteError(ctx.errors, began, "fido2_begin");
    co_return;
  }
  if (!allows(began, credentialText)) {
    ++ctx.errors["fido2_begin: credential missing from the allow list"];
    co_return;
  }
  const json verify = assertionRequest(ctx, k, *challenge, credentialText, ++id);
  const json answer = co_await conn.call(verify);
  ctx.lastAnswer = SteadyClock::now();
  ctx.latency.add(ctx.lastAnswer - sent);
  ctx.countAnswer(answer, "verify");
}

asio::awaitable<void> logonWorker(RunContext& ctx) {
  try {
    LineConnection conn(co_await asio::this_coro::executor);
    co_await conn.connect(ctx.endpoint);
    std::int64_t id = 0;
    while (ctx.mayIssue()) {
      SoftKey* k = pickKey(ctx);
      if (k == nullptr) {  // cannot happen while concurrency <= users; never spin
        ++ctx.errors["no idle user"];
        break;
      }
      ++ctx.issued;
      co_await logonOnce(ctx, conn, *k, id);
      k->inFlight = false;
    }
  } catch (const WrongServer& e) {
    ++ctx.errors[e.what()];
  } catch (const std::exception&) {
    ++ctx.errors["connection"];  // exception texts may quote answer bytes
  }
}

struct RunOptions : LoadOptions {
  std::string rpId;
};

void printRunLine(const RunOptions& o, RunContext& ctx, const LoadOutcome& outcome) {
  const double rate = outcome.seconds > 0 ? static_cast<double>(ctx.accepted) / outcome.seconds : 0;
  std::printf(
      "concurrency=%d requests=%lld accepted=%lld rejected=%lld locked=%lld errors=%lld "
      "seconds=%.3f logons_per_s=%.0f p50_ms=%.3f p99_ms=%.3f client_cpu_s=%.2f\n",
      o.concurrency, static_cast<long long>(ctx.issued), static_cast<long long>(ctx.accepted),
      static_cast<long long>(ctx.rejected), static_cast<long long>(ctx.locked),
      static_cast<long long>(ctx.errorCount()), outcome.seconds, rate, ctx.latency.percentileMs(50),
      ctx.latency.percentileMs(99), outcome.cpu);
}

int runMode(const RunOptions& o) {
  std::vector<SoftKey> keys = readUsersFile(o.usersFile);
  if (static_cast<std::size_t>(o.concurrency) > keys.size()) {
    fail("--concurrency exceeds the users in " + o.usersFile + ": a user would log on twice");
  }
  RunContext ctx(o.socket, o.rpId, keys, o.requests);
  const LoadOutcome outcome =
      runLoad(ctx, o.concurrency, o.maxSeconds, [&ctx] { return logonWorker(ctx); });
  writeUsersFile(o.usersFile, keys);  // every counter sent, answered or not

  printRunLine(o, ctx, outcome);
  reportLoadProblems(kProgram, ctx, outcome.finished,
                     " valid assertions were not accepted (see authd's audit log for the reason)");
  return outcome.finished && ctx.accepted > 0 && ctx.rejected + ctx.locked + ctx.errorCount() == 0
             ? 0
             : 1;
}

}  // namespace
}  // namespace authd::bench

int main(int argc, char** argv) {
  using namespace authd::bench;
  CLI::App app{"fido2_load_gen: FIDO2 logon load generator for authd benchmarks"};
  std::string socket;
  std::string rpId;
  addSocketOption(app, socket);
  app.add_option("--rp-id", rpId, "authd's fido2.rp_id")->required();

  auto* enroll = app.add_subcommand("enroll", "register a software key per bench user");
  EnrolOptions enrolOptions{2000, 16, {}};
  addEnrolOptions(*enroll, enrolOptions, "file for the keys (mode 0600)");

  auto* run = app.add_subcommand("run", "log on with concurrent connections");
  RunOptions o;
  addLoadOptions(*run, o, "logon");
  CLI11_PARSE(app, argc, argv);

  try {
    if (*enroll) return enrollMode(socket, rpId, enrolOptions);
    o.socket = socket;
    o.rpId = rpId;
    return runMode(o);
  } catch (const std::exception& e) {
    std::cerr << "fido2_load_gen: " << e.what() << "\n";
    return 1;
  }
}
