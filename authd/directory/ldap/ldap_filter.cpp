#include "authd/directory/ldap/ldap_filter.h"

#include "authd/directory/ldap/ldap_escape.h"

namespace authd {

namespace {

// A configured filter may be written without its outer parentheses ("objectClass=person");
// inside (&...) every component needs them.
std::string parenthesized(std::string_view filter) {
  if (filter.empty()) return {};
  if (filter.front() == '(') return std::string(filter);
  return "(" + std::string(filter) + ")";
}

std::string equalityItem(std::string_view attribute, std::string_view value) {
  return "(" + std::string(attribute) + "=" + escapeFilterValue(value) + ")";
}

}  // namespace

bool isSearchableLogin(std::string_view login) {
  return !login.empty() && login.size() <= kMaxLoginLength &&
         login.find('\0') == std::string_view::npos;
}

std::string equalityFilter(std::string_view filter, std::string_view attribute,
                           std::string_view value) {
  return "(&" + parenthesized(filter) + equalityItem(attribute, value) + ")";
}

std::string userSearchFilter(std::string_view userFilter, std::string_view loginAttribute,
                             std::string_view login) {
  return equalityFilter(userFilter, loginAttribute, login);
}

std::string presenceFilter(std::string_view filter, std::string_view attribute) {
  return "(&" + parenthesized(filter) + "(" + std::string(attribute) + "=*))";
}

std::string memberSearchFilter(std::string_view groupFilter, std::string_view memberAttribute,
                               const std::vector<std::string>& members) {
  std::string anyMember = "(|";
  for (const std::string& member : members) anyMember += equalityItem(memberAttribute, member);
  anyMember += ")";
  return "(&" + parenthesized(groupFilter) + anyMember + ")";
}

}  // namespace authd
