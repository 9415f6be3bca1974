#include "fido2/state_file.h"

#include <algorithm>

#include "fido2/byte_reader.h"
#include "fido2/file_util.h"

namespace authd::testing {
namespace {

constexpr uint8_t kMagic[] = {'S', 'F', 'I', 'D', 'O', '2', 0x00, 0x01};
constexpr size_t kPinHashSize = 16;
constexpr size_t kMaxCredentials = 100000;

struct PersistedState {
  std::array<uint8_t, 16> aaguid{};
  uint32_t signCount = 0;
  uint64_t rngPosition = 0;
  uint8_t pinRetries = 0;
  Bytes pinHash;
  std::vector<Credential> credentials;

  PersistedState() = default;
  PersistedState(PersistedState&&) = default;
  PersistedState& operator=(PersistedState&&) = default;
  ~PersistedState() { wipeBytes(pinHash); }
};

void appendField(Bytes& out, ByteView field) {
  // Fields are bounded by the CTAP2 request size, far below 64 KiB; keys by their DER size.
  appendBigEndian(out, field.size(), 2);
  out.insert(out.end(), field.begin(), field.end());
}

void appendText(Bytes& out, std::string_view text) {
  appendField(out, ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

void appendCredential(Bytes& out, const Credential& c) {
  appendBigEndian(out, static_cast<uint64_t>(c.key.alg()), 8);
  out.push_back(c.resident ? 1 : 0);
  appendField(out, c.id);
  appendText(out, c.rpId);
  appendField(out, c.userId);
  appendText(out, c.userName);
  appendText(out, c.displayName);
  Bytes key = c.key.pkcs8();
  appendField(out, key);
  wipeBytes(key);
}

std::optional<std::string> readText(ByteReader& reader) {
  const std::optional<ByteView> bytes = reader.lengthPrefixed();
  if (!bytes) return std::nullopt;
  return std::string(bytes->begin(), bytes->end());
}

std::optional<Credential> readCredential(ByteReader& reader) {
  const std::optional<uint64_t> alg = reader.bigEndian(8);
  const std::optional<uint64_t> resident = reader.bigEndian(1);
  const std::optional<ByteView> id = reader.lengthPrefixed();
  std::optional<std::string> rpId = readText(reader);
  const std::optional<ByteView> userId = reader.lengthPrefixed();
  std::optional<std::string> userName = readText(reader);
  std::optional<std::string> displayName = readText(reader);
  const std::optional<ByteView> der = reader.lengthPrefixed();
  if (reader.failed() || *resident > 1 || id->empty() || rpId->empty()) return std::nullopt;
  std::optional<CredentialKey> key =
      CredentialKey::fromPkcs8(static_cast<int64_t>(*alg), *der);  // two's complement back
  if (!key) return std::nullopt;
  return Credential{Bytes(id->begin(), id->end()),
                    std::move(*rpId),
                    Bytes(userId->begin(), userId->end()),
                    std::move(*userName),
                    std::move(*displayName),
                    *resident == 1,
                    std::move(*key)};
}

bool readHeader(ByteReader& reader, PersistedState& out) {
  const std::optional<ByteView> magic = reader.take(sizeof kMagic);
  if (!magic || !std::equal(magic->begin(), magic->end(), std::begin(kMagic))) return false;
  const std::optional<ByteView> aaguid = reader.take(out.aaguid.size());
  const std::optional<uint64_t> signCount = reader.bigEndian(4);
  const std::optional<uint64_t> rngPosition = reader.bigEndian(8);
  const std::optional<uint64_t> retries = reader.bigEndian(1);
  const std::optional<ByteView> pinHash = reader.take(reader.bigEndian(1).value_or(~0ULL));
  if (reader.failed() || (!pinHash->empty() && pinHash->size() != kPinHashSize)) return false;
  std::copy(aaguid->begin(), aaguid->end(), out.aaguid.begin());
  out.signCount = static_cast<uint32_t>(*signCount);
  out.rngPosition = *rngPosition;
  out.pinRetries = static_cast<uint8_t>(*retries);
  out.pinHash.assign(pinHash->begin(), pinHash->end());
  return true;
}

std::optional<PersistedState> parseState(ByteView data) {
  ByteReader reader(data);
  PersistedState state;
  if (!readHeader(reader, state)) return std::nullopt;
  const std::optional<uint64_t> count = reader.bigEndian(4);
  if (!count || *count > kMaxCredentials) return std::nullopt;
  for (uint64_t i = 0; i < *count; ++i) {
    std::optional<Credential> credential = readCredential(reader);
    if (!credential) return std::nullopt;
    state.credentials.push_back(std::move(*credential));
  }
  if (!reader.atEnd()) return std::nullopt;
  return state;
}

}  // namespace

Bytes serializeState(const AuthenticatorState& state) {
  Bytes out;
  out.reserve(1024);  // also keeps GCC 12 from a false -Warray-bounds on the inserts below
  out.insert(out.end(), std::begin(kMagic), std::end(kMagic));
  out.insert(out.end(), state.aaguid.begin(), state.aaguid.end());
  appendBigEndian(out, state.signCount, 4);
  appendBigEndian(out, state.rng.position(), 8);
  out.push_back(state.pin.retries);
  out.push_back(static_cast<uint8_t>(state.pin.pinHash.size()));
  out.insert(out.end(), state.pin.pinHash.begin(), state.pin.pinHash.end());
  appendBigEndian(out, state.credentials.size(), 4);
  for (const Credential& c : state.credentials.all()) appendCredential(out, c);
  return out;
}

bool restoreState(AuthenticatorState& state, ByteView data) {
  std::optional<PersistedState> parsed = parseState(data);
  if (!parsed) return false;
  state.aaguid = state.config.aaguid.value_or(parsed->aaguid);
  state.signCount = parsed->signCount;
  state.rng.skipTo(parsed->rngPosition);
  state.pin.retries = parsed->pinRetries;
  wipeBytes(state.pin.pinHash);
  state.pin.pinHash = std::move(parsed->pinHash);
  state.credentials.clear();
  for (Credential& c : parsed->credentials) state.credentials.add(std::move(c));
  return true;
}

std::optional<Bytes> readStateFile(const std::string& path) {
  return readWholeFile(path, kMaxStateFileSize);
}

void writeStateFile(const std::string& path, ByteView data) {
  writeFileAtomically(path, data, 0600);
}

}  // namespace authd::testing
