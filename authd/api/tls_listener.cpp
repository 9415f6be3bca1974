#include "authd/api/tls_listener.h"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <stdexcept>

#include "authd/api/line_session.h"
#include "authd/api/peer_certificate.h"
#include "authd/base/log.h"
#include "authd/base/tls_settings.h"
#include "authd/host_port.h"

namespace authd {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using asio::ip::tcp;

namespace {

// Sessions resume (cheap reconnects of agents) only within this context.
constexpr unsigned char kSessionContext[] = "authd";

std::runtime_error setupError(const std::string& what) {
  return std::runtime_error("tls: " + what);
}

void loadRevocations(SSL_CTX* ctx, const std::string& crlFile) {
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  X509_LOOKUP* lookup = X509_STORE_add_lookup(store, X509_LOOKUP_file());
  if (lookup == nullptr || X509_load_crl_file(lookup, crlFile.c_str(), X509_FILETYPE_PEM) <= 0) {
    throw setupError("crl_file " + crlFile + ": no CRL could be read");
  }
  // The peer's certificate is checked against its issuer's CRL; a missing CRL fails the check.
  X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
}

ssl::context serverContext(const Config::Tls& tls) {
  ssl::context context(ssl::context::tls_server);
  SSL_CTX* ctx = context.native_handle();
  applyTlsPolicy(ctx);
  if (SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1) != 1) {
    throw setupError("cannot configure the TLS context");
  }
  loadCertificateAndKey(ctx, tls.certFile, tls.keyFile, "tls");
  boost::system::error_code ec;
  context.load_verify_file(tls.caFile, ec);
  if (ec) throw setupError("ca_file " + tls.caFile + ": " + ec.message());
  if (!tls.crlFile.empty()) loadRevocations(ctx, tls.crlFile);
  context.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  return context;
}

std::unique_ptr<tcp::acceptor> bindAcceptor(asio::io_context& io, const std::string& address) {
  const std::optional<HostPort> where = splitHostPort(address);
  if (!where) throw setupError("listen: \"" + address + "\" is not ADDRESS:PORT");
  const tcp::endpoint endpoint(asio::ip::make_address(where->address), where->port);
  auto acceptor = std::make_unique<tcp::acceptor>(io);
  try {
    acceptor->open(endpoint.protocol());
    acceptor->set_option(tcp::acceptor::reuse_address(true));
    if (endpoint.address().is_v6()) acceptor->set_option(asio::ip::v6_only(true));
    acceptor->bind(endpoint);
    acceptor->listen();
  } catch (const boost::system::system_error& e) {
    throw setupError("listen " + address + ": " + e.code().message());
  }
  return acceptor;
}

std::string describe(const tcp::endpoint& endpoint) {
  const std::string address = endpoint.address().to_string();
  return (endpoint.address().is_v6() ? "[" + address + "]" : address) + ":" +
         std::to_string(endpoint.port());
}

// Why a peer was refused, for the log: the certificate check's own reason when it failed.
std::string refusal(const boost::system::error_code& ec, SSL* ssl) {
  if (!ec) return "the certificate names no device";
  std::string why = "handshake failed: " + ec.message();
  const long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) why += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
  return why;
}

// Releases the connection's slot however serve() ends, also when the event loop destroys it.
struct Slot {
  std::shared_ptr<std::atomic<int>> count;
  ~Slot() { --*count; }
};

}  // namespace

TlsListener::TlsListener(asio::io_context& io, LineHandler& handler, TlsListenerOptions options)
    : io_(io),
      handler_(handler),
      options_(std::move(options)),
      context_(serverContext(options_.tls)),
      quota_(options_.tls.maxConnectionsPerDevice, options_.maxConnections) {
  for (const auto& address : options_.tls.listen) acceptors_.push_back(bindAcceptor(io_, address));
}

TlsListener::~TlsListener() { stop(); }

void TlsListener::start() {
  for (auto& acceptor : acceptors_) asio::co_spawn(io_, acceptLoop(*acceptor), asio::detached);
}

void TlsListener::stop() {
  for (auto& acceptor : acceptors_) {
    boost::system::error_code ignored;
    acceptor->close(ignored);
  }
}

std::vector<std::string> TlsListener::boundAddresses() const {
  std::vector<std::string> out;
  for (const auto& acceptor : acceptors_) {
    boost::system::error_code ec;
    const tcp::endpoint endpoint = acceptor->local_endpoint(ec);
    if (!ec) out.push_back(describe(endpoint));
  }
  return out;
}

asio::awaitable<void> TlsListener::acceptLoop(tcp::acceptor& acceptor) {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket = options_.singleThreaded ? tcp::socket(io_.get_executor())
                                                 : tcp::socket(asio::make_strand(io_));
    co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      log::warning("tls: accept: " + ec.message());
      continue;
    }
    // Unauthenticated peers hold a slot during their handshake: bounded in number and time.
    if (++*connections_ > options_.maxConnections) {
      --*connections_;
      continue;  // the socket closes when it goes out of scope
    }
    boost::system::error_code ignored;
    std::string from = describe(socket.remote_endpoint(ignored));
    auto executor = socket.get_executor();
    asio::co_spawn(executor, serve(std::move(socket), std::move(from)), asio::detached);
  }
}

std::int64_t TlsListener::keyOf(const std::string& certificateName) {
  std::lock_guard lock(keysMutex_);
  return keys_.try_emplace(certificateName, -2 - static_cast<std::int64_t>(keys_.size()))
      .first->second;
}

bool TlsListener::isAdmin(const std::string& certificateName) const {
  const auto& admins = options_.tls.admins;
  return std::find(admins.begin(), admins.end(), certificateName) != admins.end();
}

void TlsListener::logRefusal(log::Level level, const std::string& line) {
  if (!refusalLog_.allow(0, RequestRate::Clock::now())) {
    ++refusalsUnlogged_;
    return;
  }
  const std::int64_t unlogged = refusalsUnlogged_.exchange(0);
  log::write(level,
             line + (unlogged > 0 ? " (" + std::to_string(unlogged) + " refusals not logged before)"
                                  : std::string()));
}

asio::awaitable<void> TlsListener::serve(tcp::socket socket, std::string from) {
  Slot slot{connections_};
  auto session = std::make_shared<LineSession<Stream>>(
      Stream(std::move(socket), context_), std::chrono::seconds(options_.idleTimeoutSeconds));
  session->touch(std::chrono::seconds(options_.tls.handshakeTimeout));
  asio::co_spawn(session->stream.get_executor(), closeWhenIdle(session), asio::detached);
  boost::system::error_code ec;
  co_await session->stream.async_handshake(ssl::stream_base::server,
                                           asio::redirect_error(asio::use_awaitable, ec));
  const std::optional<std::string> name =
      ec ? std::nullopt
         : certificateName(SSL_get0_peer_certificate(session->stream.native_handle()));
  if (!name) {
    logRefusal(log::Level::info,
               "tls: refused " + from + ": " + refusal(ec, session->stream.native_handle()));
    session->close();
    co_return;
  }
  PeerCredentials peer;
  peer.certificateName = *name;
  peer.certificateAdmin = isAdmin(*name);
  peer.rateKey = keyOf(*name);
  if (!quota_.acquire(peer.rateKey)) {
    logRefusal(log::Level::warning,
               "tls: connection limit reached for " + *name + " (tls.max_connections_per_device)");
    session->close();
    co_return;
  }
  session->touch();
  co_await answerLines(*session, handler_, peer);
  session->close();
  quota_.release(peer.rateKey);
}

}  // namespace authd
