#!/usr/bin/env bash
# Quick start on Debian 12, as root: installs what is missing, builds, installs, and starts authd
# with its embedded defaults (SQLite in /var/lib/authd, socket /run/authd/authd.sock, accounts
# from the local system through NSS). Then says how to enrol a user and try a logon.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $(id -u) -ne 0 ]]; then
  echo "quickstart: run as root (it installs packages, authd and pam_authd.so)" >&2
  exit 1
fi
bash scripts/install-deps.sh
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAUTHD_TESTS=OFF -DAUTHD_BENCH=OFF >/dev/null
cmake --build build-release -j"$(nproc)"

pam_dir=/usr/lib/$(gcc -print-multiarch)/security
install -D -m 0755 build-release/authd /usr/local/sbin/authd
install -D -m 0755 build-release/authctl /usr/local/sbin/authctl
install -D -m 0644 build-release/pam_authd.so "$pam_dir/pam_authd.so"
install -D -m 0644 README.md /usr/local/share/doc/authd/README.md

# A PAM service used only by pamtester, to try a logon without touching login, sudo or sshd.
cat >/etc/pam.d/authd-try <<'PAM'
# Written by authd's quickstart: second factor only, for trying it out with pamtester.
auth    required pam_authd.so
account required pam_permit.so
PAM

ready() { /usr/local/sbin/authctl --timeout 2 list >/dev/null 2>&1; }

if ready; then
  echo "quickstart: authd is already running"
elif [[ -d /run/systemd/system ]]; then
  install -D -m 0644 packaging/authd.service /etc/systemd/system/authd.service
  systemctl daemon-reload
  systemctl enable --now authd.service
else
  mkdir -p /run/authd /var/log
  nohup /usr/local/sbin/authd >>/var/log/authd.log 2>&1 &
  echo "quickstart: started authd (pid $!), log in /var/log/authd.log"
fi
for _ in $(seq 50); do ready && break; sleep 0.2; done
if ! ready; then
  echo "quickstart: authd did not come up; see journalctl -u authd or /var/log/authd.log" >&2
  exit 1
fi

user=${SUDO_USER:-$(logname 2>/dev/null || echo USER)}
cat <<MSG

authd is running on /run/authd/authd.sock.

Enrol an authenticator app (scan the QR code, then type a code to activate):
    authctl enroll totp $user

Try a logon with the second factor through the real PAM module:
    pamtester authd-try $user authenticate

List, audit, unlock:
    authctl list
    authctl audit --user $user
    authctl unlock $user

Next: docs/pam.md shows how to add pam_authd.so to login, sudo, sshd and the greeter.
MSG
