"""The client of bench-cpu.sh: exactly COUNT requests, each on a new connection, in one of three modes,
so that a server's instruction count divided by COUNT is its cost per request.
  plain    cleartext, `Connection: close`
  full     TLS with a full handshake each time (no session offered)
  resumed  TLS, each connection offering the newest session ticket the server gave (a resumed
           handshake); a connection the server did not resume is counted and reported, never hidden
Usage: cpu_client.py MODE PORT PATH COUNT [CA_FILE]
Prints one line of JSON: requests, resumed, TLS version and cipher of the last connection, seconds.
Every response must be a 200 with its whole body, or the client exits 1 naming the request."""
import json
import socket
import ssl
import sys
import time

mode, port, path, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
ca_file = sys.argv[5] if len(sys.argv) > 5 else None
request = f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode()
# The servers run under valgrind, tens of times slower than usual.
TIMEOUT = 60

context = None
if mode in ("full", "resumed"):
    context = ssl.create_default_context(cafile=ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
elif mode != "plain":
    sys.exit(f"unknown mode {mode!r}: plain, full or resumed")


def exchange(session):
    """One request on a new connection; returns the whole response and, over TLS, what the
    connection negotiated: (session, resumed, version, cipher)."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    stream = raw if context is None else context.wrap_socket(raw, server_hostname="localhost", session=session)
    try:
        stream.sendall(request)
        chunks = []
        while True:
            chunk = stream.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
        if context is None:
            return b"".join(chunks), None
        return b"".join(chunks), (stream.session, stream.session_reused, stream.version(), stream.cipher()[0])
    finally:
        stream.close()


def check(index, response):
    head, _, body = response.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200 "):
        sys.exit(f"request {index}: expected a 200, got {head[:80]!r}")
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and int(value) != len(body):
            sys.exit(f"request {index}: Content-Length {int(value)} but {len(body)} body bytes")


session = None
if mode == "resumed":
    # The first ticket comes from a full handshake that is not counted as a resumption.
    response, negotiated = exchange(None)
    check(0, response)
    session = negotiated[0]
resumed = 0
version = cipher = ""
started = time.monotonic()
for index in range(1, count + 1):
    response, negotiated = exchange(session if mode == "resumed" else None)
    check(index, response)
    if negotiated is not None:
        newest, reused, version, cipher = negotiated
        resumed += 1 if reused else 0
        if mode == "resumed" and newest is not None:
            session = newest
print(json.dumps({"mode": mode, "requests": count, "resumed": resumed, "version": version, "cipher": cipher,
                  "seconds": round(time.monotonic() - started, 3)}))
