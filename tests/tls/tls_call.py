#!/usr/bin/env python3
"""One request line over mutual TLS, the answer line on stdout (an independent TLS client:
Python's ssl module). Usage: tls_call.py HOST:PORT CA [CERT KEY] [--max-tls1.2] < request
Exit 0 with the answer; exit 3 when the server refused the connection or closed it without one.
Bounded: a 10 s timeout for everything."""
import socket
import ssl
import sys


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    host, port = args[0].rsplit(":", 1)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(args[1])
    if "--max-tls1.2" in sys.argv:
        context.maximum_version = ssl.TLSVersion.TLSv1_2
    if len(args) >= 4:
        context.load_cert_chain(args[2], args[3])
    request = sys.stdin.buffer.read()
    try:
        with socket.create_connection((host, int(port)), timeout=10) as raw:
            with context.wrap_socket(raw, server_hostname=host) as tls:
                tls.sendall(request)
                answer = b""
                while not answer.endswith(b"\n"):
                    chunk = tls.recv(65536)
                    if not chunk:
                        break
                    answer += chunk
                sys.stdout.write(tls.version() + " " + answer.decode() if "--show-version" in sys.argv
                                 else answer.decode())
                return 0 if answer.endswith(b"\n") else 3
    except (ssl.SSLError, ConnectionError, socket.timeout) as e:
        print("refused:", e, file=sys.stderr)
        return 3


sys.exit(main())
