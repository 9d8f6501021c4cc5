#!/usr/bin/env python3
"""Replays as-you-type person searches over HTTP and reports the time of each keystroke's request.

Used by bench/search_typing.sh (docs/PERFORMANCE.md, "UI search as you type"). Each typist signs
in once (keep-alive connection, session cookie) and types sequences taken from residents of the
store: a name character by character (an IME commits whole characters), its pinyin and its
initials letter by letter, an address fragment character by character, and digit strings (ID or
phone fragments). Every keystroke is one GET /api/v1/persons/search?q=…&limit=30, as the web UI
sends it, timed from the request to the last byte of the answer. Typists run in parallel threads.

  search_typing.py --port P --user U --password PW [--totp SECRET] --sequences FILE
                   [--typists N] [--repeat R] [--label TEXT]

FILE: one sequence per line, "kind<TAB>keystroke1<TAB>keystroke2…" (the text after each key).
Prints one line per kind and one for all keystrokes: count, p50, p95, p99, max in ms, and the
share of keystrokes answered within 60 ms (100 ms minus the UI's 40 ms debounce).
"""
import argparse
import base64
import hashlib
import hmac
import http.client
import json
import struct
import sys
import threading
import time
import urllib.parse


def totp(secret, at=None):
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((at or time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000
    return "%06d" % code


class Client:
    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = ""
        self.csrf = ""

    def call(self, method, path, body=None):
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/json"
            headers["X-CSRF-Token"] = self.csrf
            body = json.dumps(body)
        self.conn.request(method, path, body=body, headers=headers)
        r = self.conn.getresponse()
        data = r.read()
        for k, v in r.getheaders():
            if k.lower() == "set-cookie" and v.startswith("linli_session="):
                self.cookie = v.split(";")[0]
        return r.status, data

    def login(self, user, password, secret):
        body = {"username": user, "password": password}
        if secret:
            body["totp_code"] = totp(secret)
        status, data = self.call("POST", "/api/v1/sessions", body)
        if status != 201:
            raise SystemExit("cannot sign in %s: %s" % (user, data[:300]))
        self.csrf = json.loads(data)["data"]["csrf_token"]


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    k = max(0, min(len(sorted_values) - 1, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--totp", default="")
    ap.add_argument("--sequences", required=True)
    ap.add_argument("--typists", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--label", default="")
    args = ap.parse_args()

    sequences = []
    with open(args.sequences, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2:
                sequences.append((parts[0], parts[1:]))

    # Sign in one session per typist first (a TOTP code is accepted once: wait out the step).
    clients = []
    for i in range(args.typists):
        c = Client(args.port)
        if args.totp and i > 0:
            time.sleep(31 - time.time() % 30)
        c.login(args.user, args.password, args.totp)
        clients.append(c)

    times = {}  # kind -> [ms]
    errors = []
    lock = threading.Lock()

    def typist(index):
        c = clients[index]
        mine = {}
        # Typist i starts at a different sequence so that parallel typists type different things.
        order = sequences[index * len(sequences) // max(1, args.typists):] + \
            sequences[:index * len(sequences) // max(1, args.typists)]
        for _ in range(args.repeat):
            for kind, keys in order:
                for text in keys:
                    path = "/api/v1/persons/search?limit=30&q=" + urllib.parse.quote(text)
                    t0 = time.perf_counter()
                    try:
                        status, data = c.call("GET", path)
                    except (OSError, http.client.HTTPException) as e:
                        # The server closed the connection (e.g. its timeout): an error; reconnect.
                        status, data = 0, str(e).encode()
                        c.conn.close()
                    ms = (time.perf_counter() - t0) * 1000.0
                    if status != 200:
                        with lock:
                            errors.append("%s %s -> %d %s" % (kind, text, status, data[:200]))
                        continue
                    mine.setdefault(kind, []).append(ms)
        with lock:
            for k, v in mine.items():
                times.setdefault(k, []).extend(v)

    threads = [threading.Thread(target=typist, args=(i,)) for i in range(args.typists)]
    start = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.time() - start

    def line(kind, values):
        v = sorted(values)
        within = sum(1 for x in v if x <= 60.0) * 100.0 / max(1, len(v))
        return "%-9s keystrokes=%5d p50=%6.1fms p95=%6.1fms p99=%6.1fms max=%7.1fms within60ms=%5.1f%%" % (
            kind, len(v), percentile(v, 50), percentile(v, 95), percentile(v, 99), v[-1] if v else 0, within)

    print("typists=%d %s wall=%.1fs errors=%d" % (args.typists, args.label, wall, len(errors)))
    every = []
    for kind in sorted(times):
        print("  " + line(kind, times[kind]))
        every.extend(times[kind])
    print("  " + line("all", every))
    for e in errors[:5]:
        print("  error: " + e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
