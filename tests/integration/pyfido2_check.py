#!/usr/bin/python3
"""Independent verification of FIDO2 artefacts with python3-fido2 (0.9.1, Debian 12).

Reads one JSON object (from a file argument, or stdin when the argument is "-" or absent); all
binary fields are base64url without padding:

  rp_id        relying party id
  fmt          attestation format ("packed", "fido-u2f", "none")
  auth_data    makeCredential authenticatorData (raw bytes, not CBOR-wrapped)
  att_stmt     the attestation statement, CBOR-encoded
  cdh          CTAP form: the 32-byte client data hash the authenticator signed
  client_data  WebAuthn form instead of cdh: the ClientDataJSON; then "challenge" holds the
               server's challenge and Fido2Server.register_complete/authenticate_complete verify
               (origin check overridden: authd's rp ids are not web origins)
  ca           optional DER root certificate: an x5c chain must verify up to it
  require_uv   optional bool: the UV flag must be set in both authData
  assertion    optional {auth_data, signature, credential_id, cdh | client_data, challenge}

The CTAP form uses the lower-level API: Attestation.for_type(fmt)().verify(att_stmt, authData,
cdh), then rpIdHash, UP (and UV) checked here, and CoseKey.verify(authData + cdh, signature) for
the assertion with the credential's public key from the registration; the assertion's counter
must exceed the registration's when either is non-zero.

Exit status: 0 verified, 1 verification failed (reason on stderr), 2 bad input or usage.
--expect-fail swaps 0 and 1, for artefacts a test has tampered with.

Batch form (one interpreter start for many checks): a JSON array of such objects, each with an
optional "name" and "expect_fail" (default: --expect-fail); exit 0 when every item meets its
expectation, 1 otherwise (each item's outcome on stderr), 2 when any item is bad input.
"""

import argparse
import hashlib
import json
import sys

try:
    from fido2 import cbor
    from fido2.attestation import Attestation, UnsupportedType
    from fido2.attestation.base import verify_x509_chain
    from fido2.client import ClientData
    from fido2.ctap2 import AttestationObject, AuthenticatorData
    from fido2.server import Fido2Server
    from fido2.utils import websafe_decode, websafe_encode
    from fido2.webauthn import PublicKeyCredentialRpEntity
except ImportError as error:  # the caller skips the check
    print(f"python3-fido2 missing: {error}", file=sys.stderr)
    sys.exit(77)


class Rejected(Exception):
    """The artefacts do not verify."""


def b64(obj, key, required=True):
    value = obj.get(key)
    if value is None:
        if required:
            raise KeyError(key)
        return None
    return websafe_decode(value)


def check_flags(auth_data, rp_id, require_uv, what):
    if auth_data.rp_id_hash != hashlib.sha256(rp_id.encode()).digest():
        raise Rejected(f"{what}: rpIdHash is not SHA-256 of {rp_id!r}")
    if not auth_data.is_user_present():
        raise Rejected(f"{what}: user presence flag not set")
    if require_uv and not auth_data.is_user_verified():
        raise Rejected(f"{what}: user verification flag not set")


def attestation_verifier(fmt, att_stmt, ca):
    def verify(auth_data, cdh):
        try:
            result = Attestation.for_type(fmt)().verify(att_stmt, auth_data, cdh)
        except UnsupportedType:
            raise Rejected(f"unsupported attestation format {fmt!r}")
        except Exception as error:  # InvalidSignature, InvalidData, ...
            raise Rejected(f"attestation: {type(error).__name__} {error}")
        if ca is not None:
            if not result.trust_path:
                raise Rejected("attestation has no x5c to chain to the CA")
            try:
                verify_x509_chain(list(result.trust_path) + [ca])
            except Exception as error:
                raise Rejected(f"x5c does not chain to the CA: {type(error).__name__}")
        return result

    return verify


def register_ctap(doc, auth_data, verify):
    cdh = b64(doc, "cdh")
    check_flags(auth_data, doc["rp_id"], doc.get("require_uv", False), "registration")
    if auth_data.credential_data is None:
        raise Rejected("registration: no attested credential data")
    verify(auth_data, cdh)


def register_webauthn(server, doc, auth_data, verify):
    client_data = ClientData(b64(doc, "client_data"))
    state = {"challenge": websafe_encode(b64(doc, "challenge")),
             "user_verification": "required" if doc.get("require_uv") else "discouraged"}
    att_obj = AttestationObject.create(doc["fmt"], auth_data, cbor.decode(b64(doc, "att_stmt")))
    server._verify_attestation = lambda obj, cdh: verify(obj.auth_data, cdh)
    try:
        server.register_complete(state, client_data, att_obj)
    except ValueError as error:
        raise Rejected(f"register_complete: {error}")


def assert_ctap(doc, part, credential, registered_counter):
    got = AuthenticatorData(b64(part, "auth_data"))
    check_flags(got, doc["rp_id"], doc.get("require_uv", False), "assertion")
    try:
        credential.public_key.verify(got + b64(part, "cdh"), b64(part, "signature"))
    except Exception as error:
        raise Rejected(f"assertion signature: {type(error).__name__}")
    if (got.counter or registered_counter) and got.counter <= registered_counter:
        raise Rejected(f"assertion counter {got.counter} not above {registered_counter}")


def assert_webauthn(server, doc, part, credential):
    state = {"challenge": websafe_encode(b64(part, "challenge")),
             "user_verification": "required" if doc.get("require_uv") else "discouraged"}
    try:
        server.authenticate_complete(state, [credential], b64(part, "credential_id"),
                                     ClientData(b64(part, "client_data")),
                                     AuthenticatorData(b64(part, "auth_data")),
                                     b64(part, "signature"))
    except ValueError as error:
        raise Rejected(f"authenticate_complete: {error}")


def check(doc):
    auth_data = AuthenticatorData(b64(doc, "auth_data"))
    ca = b64(doc, "ca", required=False)
    verify = attestation_verifier(doc["fmt"], cbor.decode(b64(doc, "att_stmt")), ca)
    webauthn = "client_data" in doc
    server = Fido2Server(PublicKeyCredentialRpEntity(doc["rp_id"], "authd"),
                         attestation="direct", verify_origin=lambda origin: True)
    if webauthn:
        register_webauthn(server, doc, auth_data, verify)
    else:
        register_ctap(doc, auth_data, verify)
    credential = auth_data.credential_data
    part = doc.get("assertion")
    if part is None:
        return
    if b64(part, "credential_id") != credential.credential_id:
        raise Rejected("assertion: credential id differs from the registered one")
    if "client_data" in part:
        assert_webauthn(server, doc, part, credential)
    else:
        assert_ctap(doc, part, credential, auth_data.counter)


def outcome(doc, expect_fail, label):
    """0 when the document meets the expectation, 1 when not, 2 on bad input."""
    try:
        check(doc)
        verified, reason = True, "verified"
    except Rejected as error:
        verified, reason = False, str(error)
    except (KeyError, ValueError, TypeError, AttributeError) as error:
        print(f"pyfido2_check: {label}bad input: {type(error).__name__} {error}", file=sys.stderr)
        return 2
    met = verified != expect_fail
    expectation = "expected failure" if expect_fail else "expected success"
    print(f"pyfido2_check: {label}{reason} ({expectation}{'' if met else ' NOT met'})",
          file=sys.stderr)
    return 0 if met else 1


def batch(items, default_expect_fail):
    results = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            print(f"pyfido2_check: [{index}] bad input: not an object", file=sys.stderr)
            results.append(2)
            continue
        label = f"[{index}] {item.get('name', '')}: "
        results.append(outcome(item, bool(item.get("expect_fail", default_expect_fail)), label))
    return max(results, default=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", nargs="?", default="-", help="JSON file, '-' for stdin")
    parser.add_argument("--expect-fail", action="store_true",
                        help="succeed only when verification fails")
    args = parser.parse_args()
    try:
        text = sys.stdin.read() if args.input == "-" else open(args.input).read()
        doc = json.loads(text)
    except (ValueError, OSError) as error:
        print(f"pyfido2_check: bad input: {type(error).__name__} {error}", file=sys.stderr)
        return 2
    if not isinstance(doc, list):
        return outcome(doc, args.expect_fail, "")
    return batch(doc, args.expect_fail)


if __name__ == "__main__":
    sys.exit(main())
