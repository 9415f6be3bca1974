#!/usr/bin/env python3
"""LDIF generator for the test slapd (used by slapd.sh, standard library only).

  ldif.py config TEMPLATE SCHEMA_DIR KEY=VALUE...   cn=config LDIF on stdout
  ldif.py data BIND_PASSWORD_FILE [--users N] [--no-seed]   directory entries on stdout
              [--user-format FMT] [--user-first N] [--groups-per-user K]
  ldif.py hash PASSWORD_FILE                        {SSHA} hash of the file's password

Generated users (--users N): numbers FIRST .. FIRST+N-1 (--user-first, default 1), uid FMT % number
(--user-format, default user%05d; bench%04d --user-first 0 gives bench/bench_user.h's names),
password "pw-<uid>". Each is in telearbeit (odd number) or gesundheitsamt (even), and with
--groups-per-user K (default 1, at most 11) in K-1 more of the groups team00 .. team09.

The data is loaded with slapadd, which bypasses the memberof overlay, so memberOf is computed
here from the group members exactly as the overlay would (direct memberships only: frank gets
mobilarbeit, and the group mobilarbeit gets telearbeit; nesting is left to the client).
"""

import base64
import hashlib
import os
import re
import uuid
import string
import sys

SUFFIX = "dc=stadt,dc=example"
PEOPLE = "ou=people," + SUFFIX
GROUPS = "ou=groups," + SUFFIX
SERVICES = "ou=services," + SUFFIX
BIND_DN = "cn=authd," + SERVICES
ADMIN_DN = "cn=admin," + SUFFIX
POLICY_DN = "cn=default,ou=policies," + SUFFIX
SCHEMAS = ("core", "cosine", "inetorgperson", "nis")
USERS_GID = 20000
GENERATED_UID_BASE = 100000
GENERATED_FORMAT = "user%05d"
TEAMS = 10  # extra groups of generated users: team00 .. team09
MAX_GROUPS_PER_USER = 1 + TEAMS

# uid, cn, groups (groupOfNames), extra attributes. uidNumbers follow the list from 20001 (the
# same numbers as tests/integration/lib.sh). Passwords are "<uid>-pw".
SEED_PEOPLE = [
    ("alice", "Alice Amsel", ["gesundheitsamt"], []),
    ("bob", "Bob Bauer", ["telearbeit"], []),
    ("carol", "Carol Clausen", ["telearbeit"], [("pwdAccountLockedTime", "000001010000Z")]),
    ("dave", "Dave Dorn", ["gesundheitsamt", "telearbeit"], []),
    ("erin", "Erin Engel", [], []),
    ("frank", "Frank Fink", ["mobilarbeit"], []),
    # cn "*": a filter whose wildcard escaped the escaping would find this entry.
    ("star", "*", [], []),
]
SEED_GROUPS = ["mobilarbeit", "gesundheitsamt", "telearbeit"]  # nested group first (ldapadd order)
SEED_NESTED = [("mobilarbeit", "telearbeit")]  # (member group, containing group)
SEED_POSIX_GROUPS = [("vpn", 30001, ["bob"])]


def user_dn(uid):
    return f"uid={uid},{PEOPLE}"


def group_dn(name):
    return f"cn={name},{GROUPS}"


def ssha(password):
    salt = os.urandom(8)
    digest = hashlib.sha1(password.encode() + salt).digest()
    return "{SSHA}" + base64.b64encode(digest + salt).decode()


def read_password(path):
    with open(path, encoding="utf-8") as f:
        return f.readline().rstrip("\r\n")


def ldif_line(attr, value):
    safe = value.isascii() and value.isprintable() and not value.startswith((" ", ":", "<"))
    if safe and not value.endswith(" "):
        return f"{attr}: {value}\n"
    return f"{attr}:: {base64.b64encode(value.encode()).decode()}\n"


def entry(dn, attrs):
    # entryUUID derived from the DN: two servers seeded alike hold the same ids, as replicas do.
    attrs = attrs + [("entryUUID", str(uuid.uuid5(uuid.NAMESPACE_X500, dn.lower())))]
    return ldif_line("dn", dn) + "".join(ldif_line(a, v) for a, v in attrs) + "\n"


def person(uid, cn, uid_number, password, extra):
    given, _, surname = cn.partition(" ")
    return [
        ("objectClass", "inetOrgPerson"),
        ("objectClass", "posixAccount"),
        ("uid", uid),
        ("cn", cn),
        ("sn", surname or cn),
        ("givenName", given),
        ("displayName", cn),
        ("mail", f"{uid}@stadt.example"),
        ("uidNumber", str(uid_number)),
        ("gidNumber", str(USERS_GID)),
        ("homeDirectory", f"/home/{uid}"),
        ("loginShell", "/bin/bash"),
        ("userPassword", ssha(password)),
    ] + extra


def generated_groups(number, groups_per_user):
    """The alternation group, then groups_per_user - 1 distinct teams (round robin)."""
    groups = ["telearbeit" if number % 2 else "gesundheitsamt"]
    return groups + [f"team{(number + j) % TEAMS:02d}" for j in range(groups_per_user - 1)]


def build_data(bind_password, users, seed, user_format=GENERATED_FORMAT, user_first=1,
               groups_per_user=1):
    """Returns the LDIF text: tree, service account, people, groups (parents first)."""
    out = [
        entry(SUFFIX, [("objectClass", "dcObject"), ("objectClass", "organization"),
                       ("dc", "stadt"), ("o", "Stadt Example")]),
    ]
    for ou in ("people", "groups", "services", "policies"):
        out.append(entry(f"ou={ou},{SUFFIX}", [("objectClass", "organizationalUnit"), ("ou", ou)]))
    # Default password policy: honours pwdAccountLockedTime (needs pwdLockout) but never locks
    # an account by itself (pwdMaxFailure 0), so failed binds in tests change nothing.
    out.append(entry(POLICY_DN, [("objectClass", "organizationalRole"), ("objectClass", "pwdPolicy"),
                                 ("cn", "default"), ("pwdAttribute", "userPassword"),
                                 ("pwdLockout", "TRUE"), ("pwdMaxFailure", "0")]))
    out.append(entry(BIND_DN, [("objectClass", "applicationProcess"),
                               ("objectClass", "simpleSecurityObject"),
                               ("cn", "authd"), ("userPassword", ssha(bind_password))]))

    members = {}  # group name -> member DNs, in insertion order
    people = []  # (uid, cn, uidNumber, password, groups, extra)
    if seed:
        for name in SEED_GROUPS:
            members[name] = []
        for index, (uid, cn, groups, extra) in enumerate(SEED_PEOPLE):
            people.append((uid, cn, 20001 + index, f"{uid}-pw", groups, extra))
    for i in range(user_first, user_first + users):
        uid = user_format % i
        people.append((uid, f"User {i:05d}", GENERATED_UID_BASE + i, f"pw-{uid}",
                       generated_groups(i, groups_per_user), []))

    for uid, _, _, _, groups, _ in people:
        for g in groups:
            members.setdefault(g, []).append(user_dn(uid))
    if seed:
        for inner, outer in SEED_NESTED:
            members[outer].append(group_dn(inner))

    member_of = {}  # member DN -> group DNs (what the memberof overlay would maintain)
    for g, dns in members.items():
        for dn in dns:
            member_of.setdefault(dn, []).append(group_dn(g))

    for uid, cn, number, password, _, extra in people:
        dn = user_dn(uid)
        attrs = person(uid, cn, number, password, extra)
        attrs += [("memberOf", g) for g in member_of.get(dn, [])]
        out.append(entry(dn, attrs))
    for g, dns in members.items():
        if not dns:
            continue  # groupOfNames needs a member
        attrs = [("objectClass", "groupOfNames"), ("cn", g)] + [("member", dn) for dn in dns]
        attrs += [("memberOf", m) for m in member_of.get(group_dn(g), [])]
        out.append(entry(group_dn(g), attrs))
    if seed:
        for name, gid, uids in SEED_POSIX_GROUPS:
            attrs = [("objectClass", "posixGroup"), ("cn", name), ("gidNumber", str(gid))]
            attrs += [("memberUid", u) for u in uids]
            out.append(entry(group_dn(name), attrs))
    return "".join(out)


def build_config(template_path, schema_dir, values):
    with open(template_path, encoding="utf-8") as f:
        text = string.Template(f.read()).substitute(values)
    schemas = []
    for name in SCHEMAS:
        with open(os.path.join(schema_dir, name + ".ldif"), encoding="utf-8") as f:
            schemas.append(f.read().rstrip("\n") + "\n")
    return text.replace("#@SCHEMAS@\n", "\n".join(schemas))


def user_format_ok(fmt):
    """One decimal conversion among characters that need no escaping in a DN or a filter."""
    return re.fullmatch(r"[A-Za-z0-9._-]*%0?[1-9]?d[A-Za-z0-9._-]*", fmt) is not None


def parse_data_options(rest):
    options = {"users": 0, "seed": True}
    numbers = {"--users": "users", "--user-first": "user_first",
               "--groups-per-user": "groups_per_user"}
    while rest:
        if rest[0] in numbers and len(rest) > 1 and rest[1].isdigit():
            options[numbers[rest[0]]], rest = int(rest[1]), rest[2:]
        elif rest[0] == "--user-format" and len(rest) > 1 and user_format_ok(rest[1]):
            options["user_format"], rest = rest[1], rest[2:]
        elif rest[0] == "--no-seed":
            options["seed"], rest = False, rest[1:]
        else:
            sys.exit(f"ldif.py: bad or unknown argument {rest[0]!r}")
    if not 1 <= options.get("groups_per_user", 1) <= MAX_GROUPS_PER_USER:
        sys.exit(f"ldif.py: --groups-per-user takes 1..{MAX_GROUPS_PER_USER}")
    return options


def main(argv):
    if len(argv) >= 3 and argv[0] == "config":
        values = dict(arg.split("=", 1) for arg in argv[3:])
        values.update(SUFFIX=SUFFIX, ADMIN_DN=ADMIN_DN, BIND_DN=BIND_DN, POLICY_DN=POLICY_DN)
        sys.stdout.write(build_config(argv[1], argv[2], values))
    elif len(argv) >= 2 and argv[0] == "data":
        sys.stdout.write(build_data(read_password(argv[1]), **parse_data_options(argv[2:])))
    elif len(argv) == 2 and argv[0] == "hash":
        print(ssha(read_password(argv[1])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
