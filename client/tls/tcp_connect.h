#pragma once
// A TCP connection to HOST:PORT by a deadline: every address the name resolves to is tried in
// the order getaddrinfo gives, until one connects.

#include <cstdint>
#include <string>

#include "authd/client_io.h"

namespace authd::tls {

// The connected, non-blocking socket, or -1 with *error (Kind::connect or Kind::timeout).
int connectTcp(const std::string& host, std::uint16_t port, client_io::Clock::time_point deadline,
               ClientError* error);

}  // namespace authd::tls
