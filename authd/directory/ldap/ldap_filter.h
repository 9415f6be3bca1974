#pragma once
// Search filters built from configuration and untrusted values. Every value is escaped
// (ldap_escape.h); the configured filters are trusted text from the administrator.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace authd {

// Longer login names are never sent to the directory: no directory has such accounts.
constexpr std::size_t kMaxLoginLength = 256;

// Whether `login` may be looked up at all: not empty, at most kMaxLoginLength bytes, no NUL.
// Anything else is "no such account" without a round trip.
bool isSearchableLogin(std::string_view login);

// (&FILTER(ATTRIBUTE=escaped value)); FILTER (from the configuration) may be empty
std::string equalityFilter(std::string_view filter, std::string_view attribute,
                           std::string_view value);

// (&USER_FILTER(LOGIN_ATTRIBUTE=escaped login))
std::string userSearchFilter(std::string_view userFilter, std::string_view loginAttribute,
                             std::string_view login);

// (&FILTER(ATTRIBUTE=*)): entries of FILTER that carry ATTRIBUTE (both from the configuration)
std::string presenceFilter(std::string_view filter, std::string_view attribute);

// (&GROUP_FILTER(|(MEMBER_ATTRIBUTE=escaped v1)(MEMBER_ATTRIBUTE=escaped v2)...))
std::string memberSearchFilter(std::string_view groupFilter, std::string_view memberAttribute,
                               const std::vector<std::string>& members);

}  // namespace authd
