#!/usr/bin/env python3
"""An independent RADIUS client for the tests, written from RFC 2865/2869/3579 with Python's
hashlib and hmac: it sends an Access-Request exactly as built (the same datagram as often as asked,
which radclient cannot: it makes a new Request Authenticator per try), checks every reply's
Response Authenticator and Message-Authenticator, and prints one JSON line per reply.

Usage: radius_tool.py HOST PORT SECRET_FILE USER PASSWORD [--repeat N] [--no-ma]
                      [--proxy-state HEX] [--state HEX] [--id N]
Only loopback addresses are used by the tests."""
import argparse
import hashlib
import hmac
import json
import os
import socket
import struct
import sys

ACCESS_REQUEST = 1
USER_NAME, USER_PASSWORD, STATE, PROXY_STATE, NAS_IDENTIFIER, MESSAGE_AUTHENTICATOR = 1, 2, 24, 33, 32, 80


def attribute(kind, value):
    return struct.pack("BB", kind, len(value) + 2) + value


def hide_password(password, secret, authenticator):
    padded = password + b"\0" * (-len(password) % 16 or (16 if not password else 0))
    out, previous = b"", authenticator
    for i in range(0, len(padded), 16):
        key = hashlib.md5(secret + previous).digest()
        block = bytes(a ^ b for a, b in zip(padded[i:i + 16], key))
        out += block
        previous = block
    return out


def build_request(args, secret):
    authenticator = os.urandom(16)
    attrs = attribute(USER_NAME, args.user.encode())
    attrs += attribute(USER_PASSWORD, hide_password(args.password.encode(), secret, authenticator))
    attrs += attribute(NAS_IDENTIFIER, b"radius-tool")
    if args.state:
        attrs += attribute(STATE, bytes.fromhex(args.state))
    if args.proxy_state:
        attrs += attribute(PROXY_STATE, bytes.fromhex(args.proxy_state))
    if not args.no_ma:
        attrs = attribute(MESSAGE_AUTHENTICATOR, b"\0" * 16) + attrs
    header = struct.pack("!BBH", ACCESS_REQUEST, args.id, 20 + len(attrs)) + authenticator
    packet = header + attrs
    if not args.no_ma:
        mac = hmac.new(secret, packet, hashlib.md5).digest()
        packet = header + attribute(MESSAGE_AUTHENTICATOR, mac) + attrs[18:]
    return packet, authenticator


def parse_attributes(body):
    attrs, i = [], 0
    while i < len(body):
        kind, length = body[i], body[i + 1]
        if length < 2 or i + length > len(body):
            raise ValueError("attribute overrun")
        attrs.append((kind, body[i + 2:i + length]))
        i += length
    return attrs


def check_reply(reply, request_authenticator, secret):
    code, ident, length = struct.unpack("!BBH", reply[:4])
    if length != len(reply):
        raise ValueError("length mismatch")
    expected = hashlib.md5(reply[:4] + request_authenticator + reply[20:] + secret).digest()
    attrs = parse_attributes(reply[20:])
    ma_first = bool(attrs) and attrs[0][0] == MESSAGE_AUTHENTICATOR
    ma_valid = False
    if ma_first:
        zeroed = reply[:4] + request_authenticator + attribute(MESSAGE_AUTHENTICATOR, b"\0" * 16) + reply[38:]
        ma_valid = hmac.compare_digest(hmac.new(secret, zeroed, hashlib.md5).digest(), attrs[0][1])
    return {
        "code": code,
        "id": ident,
        "response_authenticator_valid": hmac.compare_digest(expected, reply[4:20]),
        "message_authenticator_first": ma_first,
        "message_authenticator_valid": ma_valid,
        "reply_message": b"".join(v for k, v in attrs if k == 18).decode(errors="replace"),
        "state": "".join(v.hex() for k, v in attrs if k == STATE),
        "proxy_state": [v.hex() for k, v in attrs if k == PROXY_STATE],
        "attributes": [k for k, _ in attrs],
        "hex": reply.hex(),
    }


def main():
    p = argparse.ArgumentParser()
    for name in ("host", "port", "secret_file", "user", "password"):
        p.add_argument(name)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--no-ma", action="store_true")
    p.add_argument("--proxy-state")
    p.add_argument("--state")
    p.add_argument("--id", type=int, default=7)
    p.add_argument("--timeout", type=float, default=3.0)
    args = p.parse_args()
    with open(args.secret_file, "rb") as f:
        secret = f.read().splitlines()[0]
    packet, authenticator = build_request(args, secret)
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.settimeout(args.timeout)
        for _ in range(min(args.repeat, 10)):
            s.sendto(packet, (args.host, int(args.port)))
            try:
                reply = s.recv(4096)
            except socket.timeout:
                print(json.dumps({"code": 0}))
                continue
            print(json.dumps(check_reply(reply, authenticator, secret)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
