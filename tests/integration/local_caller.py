#!/usr/bin/env python3
"""A local client of authd's socket protocol for the attack tests; runs as any uid.

  local_caller.py SOCK ask LINE...        one connection, one response line per request line
  local_caller.py SOCK flood N LINE       N requests on one connection; prints a JSON summary
  local_caller.py SOCK hold N             opens N connections, pings each, prints how many were
                                          answered, then holds them until stdin closes
Every socket operation has a deadline; nothing leaves the machine.
"""
import json
import socket
import sys
import time

DEADLINE = 10.0


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(DEADLINE)
    s.connect(path)
    return s


def call(s, line, reader):
    s.sendall(line.encode() + b"\n")
    answer = reader.readline()
    if not answer:
        raise ConnectionError("closed")
    return answer.decode().rstrip("\n")


def ask(path, lines):
    with connect(path) as s, s.makefile("rb") as reader:
        for line in lines:
            print(call(s, line, reader), flush=True)


def flood(path, count, line):
    summary = {"ok": 0, "errors": {}, "results": {}, "seconds": 0.0}
    start = time.monotonic()
    with connect(path) as s, s.makefile("rb") as reader:
        for _ in range(count):
            answer = json.loads(call(s, line, reader))
            if answer.get("ok"):
                summary["ok"] += 1
                result = answer.get("result", "ok")
                summary["results"][result] = summary["results"].get(result, 0) + 1
            else:
                error = answer.get("error")
                summary["errors"][error] = summary["errors"].get(error, 0) + 1
    summary["seconds"] = time.monotonic() - start
    print(json.dumps(summary), flush=True)


def hold(path, count):
    held, answered = [], 0
    for _ in range(count):
        try:
            s = connect(path)
            reader = s.makefile("rb")
            call(s, '{"v":1,"op":"ping"}', reader)
            answered += 1
            held.append((s, reader))
        except OSError:
            pass
    print(f"answered {answered}", flush=True)
    sys.stdin.read()  # hold every connection until the test closes our stdin
    for s, reader in held:
        reader.close()
        s.close()


def main():
    path, mode, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    if mode == "ask":
        ask(path, args)
    elif mode == "flood":
        flood(path, int(args[0]), args[1])
    elif mode == "hold":
        hold(path, int(args[0]))
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
