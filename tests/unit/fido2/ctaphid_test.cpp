#include "fido2/ctaphid.h"

#include <doctest/doctest.h>

using namespace authd::testing;

namespace {

struct Harness {
  Rng rng{7};
  Bytes lastCbor;
  CtapHidDevice hid{[this](ByteView r) {
                      lastCbor.assign(r.begin(), r.end());
                      return CborReply{Bytes{0x00}, {}};
                    },
                    rng, [](std::chrono::milliseconds) {}};

  static HidReport init(uint32_t cid, uint8_t cmd, size_t length, ByteView data) {
    HidReport r{};
    for (int i = 0; i < 4; ++i) r[i] = static_cast<uint8_t>(cid >> (24 - 8 * i));
    r[4] = cmd | 0x80;
    r[5] = static_cast<uint8_t>(length >> 8);
    r[6] = static_cast<uint8_t>(length);
    std::copy(data.begin(), data.end(), r.begin() + 7);
    return r;
  }
  static HidReport cont(uint32_t cid, uint8_t seq, ByteView data) {
    HidReport r{};
    for (int i = 0; i < 4; ++i) r[i] = static_cast<uint8_t>(cid >> (24 - 8 * i));
    r[4] = seq;
    std::copy(data.begin(), data.end(), r.begin() + 5);
    return r;
  }
  uint32_t openChannel() {
    const Bytes nonce = {1, 2, 3, 4, 5, 6, 7, 8};
    hid.receive(init(kBroadcastCid, ctaphid::kInit, 8, nonce));
    const HidReport r = *hid.read(-1);
    return static_cast<uint32_t>(r[15]) << 24 | static_cast<uint32_t>(r[16]) << 16 |
           static_cast<uint32_t>(r[17]) << 8 | r[18];
  }
  // The error code of the next reply, or -1 if it is not CTAPHID_ERROR.
  int nextError() {
    const std::optional<HidReport> r = hid.read(-1);
    if (!r || (*r)[4] != (ctaphid::kError | 0x80)) return -1;
    return (*r)[7];
  }
};

}  // namespace

TEST_CASE("INIT on the broadcast channel echoes the nonce and allocates a channel") {
  Harness h;
  const Bytes nonce = {9, 8, 7, 6, 5, 4, 3, 2};
  h.hid.receive(Harness::init(kBroadcastCid, ctaphid::kInit, 8, nonce));
  const std::optional<HidReport> r = h.hid.read(-1);
  REQUIRE(r);
  CHECK((*r)[4] == (ctaphid::kInit | 0x80));
  CHECK((*r)[6] == 17);
  CHECK(Bytes(r->begin() + 7, r->begin() + 15) == nonce);
  CHECK((*r)[23] == 0x0d);  // WINK | CBOR | NMSG
  CHECK_FALSE(h.hid.read(-1));
}

TEST_CASE("a multi-frame PING round-trips") {
  Harness h;
  const uint32_t cid = h.openChannel();
  Bytes payload(150);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>(i + 1);
  h.hid.receive(Harness::init(cid, ctaphid::kPing, payload.size(), ByteView(payload).first(57)));
  h.hid.receive(Harness::cont(cid, 0, ByteView(payload).subspan(57, 59)));
  h.hid.receive(Harness::cont(cid, 1, ByteView(payload).subspan(116)));
  Bytes echoed;
  HidReport r = *h.hid.read(-1);
  echoed.insert(echoed.end(), r.begin() + 7, r.end());
  for (int i = 0; i < 2; ++i) {
    r = *h.hid.read(-1);
    CHECK(r[4] == i);
    echoed.insert(echoed.end(), r.begin() + 5, r.end());
  }
  echoed.resize(payload.size());
  CHECK(echoed == payload);
}

TEST_CASE("CBOR messages reach the handler only when complete and well-framed") {
  Harness h;
  const uint32_t cid = h.openChannel();
  const Bytes request = {0x04};
  h.hid.receive(Harness::init(cid, ctaphid::kCbor, 1, request));
  CHECK(h.lastCbor == request);
  CHECK(h.hid.read(-1).has_value());
}

TEST_CASE("malformed frames get CTAPHID errors, never a dispatch") {
  Harness h;
  const uint32_t cid = h.openChannel();
  const Bytes one = {0x04};
  SUBCASE("non-zero padding after the message") {
    HidReport r = Harness::init(cid, ctaphid::kCbor, 1, one);
    r[40] = 0xee;
    h.hid.receive(r);
    CHECK(h.nextError() == ctaphid::kErrInvalidPar);
  }
  SUBCASE("a report that is not 64 bytes") {
    h.hid.receive(ByteView(one));
    CHECK(h.nextError() == ctaphid::kErrInvalidLen);
  }
  SUBCASE("a length beyond the largest message") {
    h.hid.receive(Harness::init(cid, ctaphid::kCbor, kMaxHidMessage + 1, one));
    CHECK(h.nextError() == ctaphid::kErrInvalidLen);
  }
  SUBCASE("a continuation out of sequence") {
    h.hid.receive(Harness::init(cid, ctaphid::kCbor, 100, one));
    h.hid.receive(Harness::cont(cid, 1, one));
    CHECK(h.nextError() == ctaphid::kErrInvalidSeq);
  }
  SUBCASE("a channel that was never allocated") {
    h.hid.receive(Harness::init(cid + 1, ctaphid::kCbor, 1, one));
    CHECK(h.nextError() == ctaphid::kErrInvalidChannel);
  }
  SUBCASE("U2F messages (NMSG)") {
    h.hid.receive(Harness::init(cid, ctaphid::kMsg, 1, one));
    CHECK(h.nextError() == ctaphid::kErrInvalidCmd);
  }
  SUBCASE("INIT with a short nonce") {
    h.hid.receive(Harness::init(kBroadcastCid, ctaphid::kInit, 4, one));
    CHECK(h.nextError() == ctaphid::kErrInvalidLen);
  }
  CHECK(h.lastCbor.empty());
}
