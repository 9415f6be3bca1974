#pragma once
// What the blocking clients of authd (authd::Client on the local socket, authd::TlsClient over
// mutual TLS) share, so both frame lines and check envelopes the same way (docs/protocol.md):
// the request line, the response line out of the bytes read so far, the response envelope, and
// waiting on a non-blocking socket until a deadline.

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "authd/client.h"

namespace authd::client_io {

using Clock = std::chrono::steady_clock;

// Sets *error (when given) and returns false.
bool setError(ClientError* error, ClientError::Kind kind, std::string message);

// Waits until fd is ready for `events` (poll) or the deadline passes (Kind::timeout).
bool waitFor(int fd, short events, Clock::time_point deadline, ClientError* error);

// Fills "v" and "id" and returns the request as one line, newline included. The secret fields
// of `request` are wiped; the caller wipes the returned line once it is sent.
std::string requestLine(nlohmann::json& request, std::uint64_t id);

// The first complete line of `pending`, without its newline; the consumed bytes are wiped
// (a response may carry an enrolment secret). nullopt while no newline has arrived.
std::optional<std::string> takeLine(std::string& pending);

// True once `pending` holds a response line longer than the protocol allows
// (protocol::kMaxResponseLineBytes).
bool lineTooLong(const std::string& pending);

// Reads into a buffer: the bytes read (> 0), or 0 once it failed (having set its error).
using ReadSome = std::function<std::size_t(char* buffer, std::size_t size)>;

// The next response line: what `pending` holds, else chunks from `readSome` until a newline
// comes (Kind::protocol when the line grows too long). The chunk buffer is wiped after each read
// (a response may carry an enrolment secret).
std::optional<std::string> receiveLine(std::string& pending, const ReadSome& readSome,
                                       ClientError* error);

// Parses a response line (wiped afterwards) and checks its envelope: version, the id that was
// sent, a boolean "ok". nullopt with a Kind::protocol *error otherwise.
std::optional<nlohmann::json> readResponse(std::string& line, std::uint64_t id, ClientError* error);

// One request and its answer over `link`, the call sequence of every blocking client: the
// request line (too large: Kind::protocol), connect and send, the answer line, its envelope.
// Our copy of the line is wiped whatever happens; on any failure the link is disconnected.
std::optional<nlohmann::json> exchange(LineLink& link, nlohmann::json& request, std::uint64_t id,
                                       Clock::time_point deadline, ClientError* error);

}  // namespace authd::client_io
