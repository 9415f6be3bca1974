#include "authd/directory/ldap/ldap_connection.h"

#include <sys/time.h>

#include <mutex>
#include <vector>

namespace authd {

namespace {

struct MessageFree {
  void operator()(LDAPMessage* message) const { ldap_msgfree(message); }
};
struct MemoryFree {
  void operator()(char* memory) const { ldap_memfree(memory); }
};
struct ValuesFree {
  void operator()(berval** values) const { ldap_value_free_len(values); }
};
struct BerFree {
  void operator()(BerElement* element) const { ber_free(element, 0); }
};

timeval toTimeval(int milliseconds) {
  return timeval{milliseconds / 1000, (milliseconds % 1000) * 1000};
}

// libldap initialises its TLS library lazily with unguarded counters; doing it once here, before
// worker threads create contexts concurrently, keeps that first step single-threaded.
void initializeTlsOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    LDAP* handle = nullptr;
    if (ldap_initialize(&handle, "ldap://localhost") != LDAP_SUCCESS) return;
    int client = 0;
    ldap_set_option(handle, LDAP_OPT_X_TLS_NEWCTX, &client);
    ldap_unbind_ext_s(handle, nullptr, nullptr);
  });
}

bool isLdapsUri(const std::string& uri) { return ldap_is_ldaps_url(uri.c_str()) != 0; }

}  // namespace

LdapConnection::LdapConnection(LDAP* handle, int timeoutMs)
    : handle_(handle), timeoutMs_(timeoutMs), socketDeadline_(timeoutMs) {}

std::unique_ptr<LdapConnection> LdapConnection::open(const std::string& uri,
                                                     const LdapConnectionOptions& options) {
  initializeTlsOnce();
  LDAP* handle = nullptr;
  int rc = ldap_initialize(&handle, uri.c_str());
  if (rc != LDAP_SUCCESS) throw LdapFailure(rc, ldap_err2string(rc));
  std::unique_ptr<LdapConnection> connection(new LdapConnection(handle, options.timeoutMs));
  connection->configure(options);
  connection->establish(uri, options);
  return connection;
}

LdapConnection::~LdapConnection() { ldap_unbind_ext_s(handle_, nullptr, nullptr); }

void LdapConnection::configure(const LdapConnectionOptions& options) {
  auto set = [this](int option, const void* value, const char* what) {
    if (ldap_set_option(handle_, option, value) != LDAP_OPT_SUCCESS) {
      throw LdapFailure(LDAP_LOCAL_ERROR, std::string("cannot set ") + what);
    }
  };
  int version = LDAP_VERSION3;
  set(LDAP_OPT_PROTOCOL_VERSION, &version, "protocol version 3");
  timeval connectTimeout = toTimeval(options.connectTimeoutMs);
  set(LDAP_OPT_NETWORK_TIMEOUT, &connectTimeout, "connect timeout");
  timeval operationTimeout = toTimeval(options.timeoutMs);
  set(LDAP_OPT_TIMEOUT, &operationTimeout, "operation timeout");
  set(LDAP_OPT_REFERRALS, LDAP_OPT_OFF, "referrals off");
  if (!socketDeadline_.install(handle_)) {
    throw LdapFailure(LDAP_LOCAL_ERROR, "cannot set socket timeouts");
  }
  // TLS on this handle only (never the global defaults other connections would inherit).
  int demand = LDAP_OPT_X_TLS_HARD;
  set(LDAP_OPT_X_TLS_REQUIRE_CERT, &demand, "TLS certificate checks");
  int minimum = LDAP_OPT_X_TLS_PROTOCOL_TLS1_2;
  set(LDAP_OPT_X_TLS_PROTOCOL_MIN, &minimum, "TLS 1.2 minimum");
  if (!options.caFile.empty()) {
    set(LDAP_OPT_X_TLS_CACERTFILE, options.caFile.c_str(), "TLS CA file");
  }
  // The context is built from the options above: it must come after them.
  int client = 0;
  set(LDAP_OPT_X_TLS_NEWCTX, &client, "a TLS context (is the CA file readable PEM?)");
}

void LdapConnection::establish(const std::string& uri, const LdapConnectionOptions& options) {
  int rc = LDAP_SUCCESS;
  if (isLdapsUri(uri) || options.allowPlain) {
    rc = ldap_connect(handle_);  // ldaps: TCP and the TLS handshake
  } else {
    // Never falls back to plain: a failed StartTLS fails the connection.
    rc = ldap_start_tls_s(handle_, nullptr, nullptr);
  }
  if (rc != LDAP_SUCCESS) throw LdapFailure(rc, describe(rc));
}

int LdapConnection::bindStatus(const std::string& dn, std::string_view password) {
  berval credentials{static_cast<ber_len_t>(password.size()), const_cast<char*>(password.data())};
  return ldap_sasl_bind_s(handle_, dn.c_str(), LDAP_SASL_SIMPLE, &credentials, nullptr, nullptr,
                          nullptr);
}

void LdapConnection::bind(const std::string& dn, std::string_view password) {
  int rc = bindStatus(dn, password);
  if (rc != LDAP_SUCCESS) throw LdapFailure(rc, "bind as " + dn + ": " + describe(rc));
}

SearchResult LdapConnection::search(const SearchRequest& request) {
  std::vector<char*> attributes;
  for (const std::string& attribute : request.attributes) {
    attributes.push_back(const_cast<char*>(attribute.c_str()));
  }
  attributes.push_back(nullptr);
  timeval timeout = toTimeval(timeoutMs_);
  LDAPMessage* raw = nullptr;
  int rc =
      ldap_search_ext_s(handle_, request.base.c_str(), LDAP_SCOPE_SUBTREE, request.filter.c_str(),
                        attributes.data(), 0, nullptr, nullptr, &timeout, request.sizeLimit, &raw);
  std::unique_ptr<LDAPMessage, MessageFree> message(raw);
  if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) {
    throw LdapFailure(rc, "search: " + describe(rc));
  }
  SearchResult result;
  result.truncated = rc == LDAP_SIZELIMIT_EXCEEDED;
  for (LDAPMessage* entry = ldap_first_entry(handle_, raw); entry != nullptr;
       entry = ldap_next_entry(handle_, entry)) {
    result.entries.push_back(readEntry(entry));
  }
  return result;
}

LdapEntry LdapConnection::readEntry(LDAPMessage* message) const {
  LdapEntry entry;
  std::unique_ptr<char, MemoryFree> dn(ldap_get_dn(handle_, message));
  if (dn != nullptr) entry.dn = dn.get();
  BerElement* rawBer = nullptr;
  std::unique_ptr<char, MemoryFree> attribute(ldap_first_attribute(handle_, message, &rawBer));
  std::unique_ptr<BerElement, BerFree> ber(rawBer);
  for (; attribute != nullptr; attribute.reset(ldap_next_attribute(handle_, message, ber.get()))) {
    std::unique_ptr<berval*, ValuesFree> values(
        ldap_get_values_len(handle_, message, attribute.get()));
    for (berval** value = values.get(); value != nullptr && *value != nullptr; ++value) {
      entry.add(attribute.get(), std::string((*value)->bv_val, (*value)->bv_len));
    }
  }
  return entry;
}

std::string LdapConnection::describe(int code) const {
  std::string text = ldap_err2string(code);
  char* diagnostic = nullptr;
  if (ldap_get_option(handle_, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diagnostic) == LDAP_OPT_SUCCESS &&
      diagnostic != nullptr) {
    std::unique_ptr<char, MemoryFree> owner(diagnostic);
    if (*diagnostic != '\0') text += std::string(" (") + diagnostic + ")";
  }
  return text;
}

}  // namespace authd
