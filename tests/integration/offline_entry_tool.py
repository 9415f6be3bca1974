#!/usr/bin/env python3
"""Forges offline entries for the offline logon test (docs/offline.md), with python3-cryptography
as an implementation independent of authd's:

  offline_entry_tool.py resign < ENTRY   the same payload, signed by a fresh Ed25519 key (an
                                         entry "of another authd")
  offline_entry_tool.py tamper < ENTRY   one byte of the payload changed, the signature kept
  offline_entry_tool.py show < ENTRY     the payload as JSON (after checking nothing)
"""
import base64
import json
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

CONTEXT = b"authd offline entry v1\x00"


def b64decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64encode(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def main():
    entry = json.loads(sys.stdin.readline())
    payload = b64decode(entry["payload"])
    if sys.argv[1] == "resign":
        entry["sig"] = b64encode(Ed25519PrivateKey.generate().sign(CONTEXT + payload))
    elif sys.argv[1] == "tamper":
        # Extend the expiry by changing one digit: still a valid payload, no longer signed.
        doc = payload.decode()
        at = doc.index('"expires":') + len('"expires":')
        digit = "9" if doc[at] != "9" else "8"
        entry["payload"] = b64encode((doc[:at] + digit + doc[at + 1:]).encode())
    elif sys.argv[1] == "show":
        print(payload.decode())
        return
    print(json.dumps(entry, separators=(",", ":")), end="")


if __name__ == "__main__":
    main()
