# Groups the server's CPU samples by what they were doing, from `perf script -G -F ip,sym,dso`
# (one "ip symbol (dso)" line per sample; leaf frames only, since Release builds keep no frame
# pointers). libc's getenv/strcmp/strncmp count as directory lookups: in bench_server they are
# called by nss_wrapper's linear scan of the passwd file.
function category(sym, dso) {
  if (dso ~ /libnss_wrapper/ || sym ~ /^(getenv|__strncmp_|__strcmp_|strcmp|strncmp)/) {
    return "directory lookup (nss_wrapper)"
  }
  if (dso ~ /libsqlite3/) return "SQLite"
  if (dso ~ /kallsyms/) return "kernel (syscalls, fsync, socket I/O, scheduling)"
  # Debian's libldap does TLS with GnuTLS (nettle, hogweed, gmp, tasn1), not OpenSSL.
  if (dso ~ /libldap|liblber|libgnutls|libhogweed|libnettle|libgmp|libtasn1/) {
    return "LDAP client and its TLS (libldap, GnuTLS)"
  }
  if (dso ~ /libcrypto|liboath/) return "crypto (HMAC, AES-GCM unseal)"
  if (sym ~ /nlohmann/) return "JSON (nlohmann)"
  if (sym ~ /malloc|free|_int_|memmove|memset|memcpy|memcmp|strlen/) return "allocation, memcpy"
  if (sym ~ /boost|asio|pthread|futex/ || dso ~ /libc\./) return "Asio, threads, other libc"
  return "authd and the rest"
}
NF >= 2 { n[category($2, $NF)]++; total++ }
END {
  for (c in n) printf "  %5.1f%%  %s\n", 100 * n[c] / total, c | "sort -rn"
}
