#!/usr/bin/env python3
"""A hand-driven HTTP/2 client for the end-to-end tests: it writes frames byte by byte (valid or not)
with python-hpack for field blocks, reads what the server answers, and prints one JSON line of what it
saw. Every scenario is bounded in frames and seconds and stops by itself. Loopback only.

  h2peer.py PORT request [--header NAME:VALUE]... [--method M] [--path P] [--body N] [--expect-continue]
            [--trailer NAME:VALUE] [--content-length N] [--then-get]
  h2peer.py PORT flood KIND [--count N] [--seconds S]
  h2peer.py PORT load --connections C --streams S --seconds T [--path P]
"""
import argparse, json, select, socket, struct, sys, threading, time
import hpack

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = range(10)
END_STREAM, ACK, END_HEADERS, PADDED, PRIORITY_FLAG = 0x1, 0x1, 0x4, 0x8, 0x20
CODES = ["NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT", "STREAM_CLOSED",
         "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM",
         "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED"]


def frame(kind, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def code_name(code):
    return CODES[code] if code < len(CODES) else hex(code)


class Peer:
    """One connection: sends frames, collects what comes back."""

    def __init__(self, port, timeout=10.0, ack_settings=True):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.encoder = hpack.Encoder()
        self.decoder = hpack.Decoder()
        self.decoder.max_allowed_table_size = 65536
        self.buffer = b""
        self.ack_settings = ack_settings
        self.goaway = None
        self.closed = False
        self.statuses = {}
        self.bodies = {}
        self.resets = {}
        self.ended = set()
        self.ping_acks = 0
        self.send_window = 65535
        self.stream_windows = {}
        self.initial_window = 65535
        self.settings_received = False
        self.header_block = None
        self.send_lock = threading.Lock()

    def send(self, data):
        try:
            with self.send_lock:
                self.sock.sendall(data)
            return True
        except OSError:
            self.closed = True
            return False

    def read_in_background(self, seconds):
        """Reads while the caller floods, so the server's GOAWAY is seen before its close can turn
        into a reset that drops it from our receive queue."""
        thread = threading.Thread(target=lambda: self.read_frames(lambda: self.goaway is not None and self.closed, seconds))
        thread.daemon = True
        thread.start()
        return thread

    def start(self, settings=b""):
        return self.send(PREFACE + frame(SETTINGS, 0, 0, settings))

    def block(self, headers):
        return self.encoder.encode(headers)

    def headers(self, stream, headers, end_stream=True, raw_block=None):
        block = raw_block if raw_block is not None else self.block(headers)
        flags = END_HEADERS | (END_STREAM if end_stream else 0)
        self.stream_windows.setdefault(stream, self.initial_window)
        return self.send(frame(HEADERS, flags, stream, block))

    def data(self, stream, payload, end_stream=False):
        return self.send(frame(DATA, END_STREAM if end_stream else 0, stream, payload))

    def read_frames(self, until, seconds):
        """Reads and handles frames until `until()` holds, the connection closes or `seconds` pass."""
        deadline = time.monotonic() + seconds
        while not self.closed and not until():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.sock.settimeout(min(left, 1.0))
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                self.closed = True
                break
            if not chunk:
                self.closed = True
                break
            self.buffer += chunk
            while len(self.buffer) >= 9:
                length = int.from_bytes(self.buffer[:3], "big")
                if len(self.buffer) < 9 + length:
                    break
                kind, flags = self.buffer[3], self.buffer[4]
                stream = int.from_bytes(self.buffer[5:9], "big") & 0x7FFFFFFF
                payload = self.buffer[9:9 + length]
                self.buffer = self.buffer[9 + length:]
                self.handle(kind, flags, stream, payload)
        return until()

    def handle(self, kind, flags, stream, payload):
        if kind == SETTINGS and not flags & ACK:
            self.settings_received = True
            for i in range(0, len(payload), 6):
                ident, value = struct.unpack(">HI", payload[i:i + 6])
                if ident == 4:
                    self.initial_window = value
            if self.ack_settings:
                self.send(frame(SETTINGS, ACK, 0))
        elif kind == PING and not flags & ACK:
            self.send(frame(PING, ACK, 0, payload))
        elif kind == PING:
            self.ping_acks += 1
        elif kind == GOAWAY:
            last, code = struct.unpack(">II", payload[:8])
            self.goaway = {"last_stream_id": last & 0x7FFFFFFF, "code": code_name(code),
                           "debug": payload[8:].decode("latin-1")}
            self.goaways = getattr(self, "goaways", []) + [self.goaway]
        elif kind == RST_STREAM:
            self.resets[stream] = code_name(struct.unpack(">I", payload)[0])
        elif kind == WINDOW_UPDATE:
            increment = struct.unpack(">I", payload)[0] & 0x7FFFFFFF
            if stream == 0:
                self.send_window += increment
            else:
                self.stream_windows[stream] = self.stream_windows.get(stream, self.initial_window) + increment
        elif kind in (HEADERS, CONTINUATION):
            fragment = payload
            if kind == HEADERS:
                pad = payload[0] if flags & PADDED else 0
                start = (1 if flags & PADDED else 0) + (5 if flags & PRIORITY_FLAG else 0)
                fragment = payload[start:len(payload) - pad]
                self.header_block = (stream, flags & END_STREAM, b"")
            stream_id, ends, so_far = self.header_block
            self.header_block = (stream_id, ends, so_far + fragment)
            if flags & END_HEADERS:
                fields = self.decoder.decode(self.header_block[2], raw=True)
                status = dict(fields).get(b":status")
                if status is not None and not status.startswith(b"1"):
                    self.statuses[stream_id] = int(status)
                elif status is not None:
                    self.statuses.setdefault("interim", []).append(int(status))
                if ends:
                    self.ended.add(stream_id)
        elif kind == DATA:
            pad = payload[0] if flags & PADDED else 0
            body = payload[(1 if flags & PADDED else 0):len(payload) - pad]
            self.bodies[stream] = self.bodies.get(stream, b"") + body
            if payload:
                self.send(frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", len(payload)))
                          + frame(WINDOW_UPDATE, 0, stream, struct.pack(">I", len(payload))))
            if flags & END_STREAM:
                self.ended.add(stream)

    def done(self, stream):
        return stream in self.ended or stream in self.resets

    def summary(self):
        return {"goaway": self.goaway, "closed": self.closed,
                "statuses": {str(k): v for k, v in self.statuses.items()},
                "resets": {str(k): v for k, v in self.resets.items()},
                "bodies": {str(k): v.decode("utf-8", "replace") for k, v in self.bodies.items()},
                "ping_acks": self.ping_acks}


def request_headers(method="GET", path="/cats/1", extra=()):
    return [(":method", method), (":scheme", "http"), (":authority", "127.0.0.1"), (":path", path)] + list(extra)


def pair(text):
    name, _, value = text.partition(":")
    return (name, value.replace("\\r", "\r").replace("\\n", "\n"))


def run_request(port, args):
    peer = Peer(port)
    peer.start()
    extra = [pair(h) for h in args.header]
    if args.content_length is not None:
        extra.append(("content-length", str(args.content_length)))
    if args.expect_continue:
        extra.append(("expect", "100-continue"))
    has_body = args.body is not None or args.trailer
    peer.headers(1, request_headers(args.method, args.path, extra), end_stream=not has_body)
    if args.expect_continue:
        peer.read_frames(lambda: "interim" in peer.statuses or peer.done(1), 10)
    if args.body is not None:
        body = bytes(i % 251 for i in range(args.body))
        sent = 0
        while sent < len(body) and not peer.done(1) and not peer.closed:
            room = min(peer.send_window, peer.stream_windows.get(1, peer.initial_window), 16384, len(body) - sent)
            if room <= 0:
                if not peer.read_frames(lambda: min(peer.send_window, peer.stream_windows.get(1, 0)) > 0 or peer.done(1), 10):
                    break
                continue
            last = sent + room == len(body) and not args.trailer
            peer.data(1, body[sent:sent + room], end_stream=last)
            peer.send_window -= room
            peer.stream_windows[1] = peer.stream_windows.get(1, peer.initial_window) - room
            sent += room
    if args.trailer:
        peer.headers(1, [pair(t) for t in args.trailer], end_stream=True)
    peer.read_frames(lambda: peer.done(1), 10)
    if args.then_get:
        peer.headers(3, request_headers("GET", "/cats/2"))
        peer.read_frames(lambda: peer.done(3), 10)
    if args.linger:
        # Then idle: what the server does with a connection that asks nothing more (its GOAWAY).
        peer.read_frames(lambda: peer.goaway is not None, args.linger)
    print(json.dumps(peer.summary()))


def run_streams(port, count, path):
    """Sends `count` GETs on one connection in one write (streams 1, 3, 5, ...), then reads until each is
    answered or reset, or the server closes: what a connection limit does to streams already in flight."""
    peer = Peer(port)
    peer.start()
    ids = [1 + 2 * i for i in range(count)]
    peer.send(b"".join(frame(HEADERS, END_HEADERS | END_STREAM, stream, peer.block(request_headers("GET", path)))
                       for stream in ids))
    peer.read_frames(lambda: all(peer.done(stream) for stream in ids) and peer.goaway is not None, 10)
    # After the GOAWAY the server closes once its streams are done: read on to see the close.
    peer.read_frames(lambda: False, 5 if peer.goaway is not None else 0)
    print(json.dumps(peer.summary()))


# --- floods -------------------------------------------------------------------------------------

def flood(port, kind, count, seconds):
    peer = Peer(port, ack_settings=(kind != "no-settings-ack"))
    peer.start()
    deadline = time.monotonic() + seconds
    # Encoded with an encoder of its own, statically indexed only, so ours stays in step with the server.
    separate = hpack.Encoder()
    separate.header_table_size = 0
    get = separate.encode(request_headers())
    sent = 0
    stream = 1
    if kind in ("continuation", "empty-continuation"):
        # Inside a field block no other frame may be sent (RFC 9113 §6.10): the server's SETTINGS is
        # acknowledged first, or the ACK would land mid-block and earn a PROTOCOL_ERROR, not the flood's code.
        peer.read_frames(lambda: peer.settings_received, 5)
    reader = peer.read_in_background(seconds + 5) if kind not in ("slow-read", "stream-id-exhaustion", "ok") else None

    def stop():
        return peer.goaway is not None or peer.closed or time.monotonic() > deadline

    if kind == "rapid-reset":
        for _ in range(count):
            if stop() or not peer.send(frame(HEADERS, END_HEADERS | END_STREAM, stream, peer.block(request_headers()))
                                       + frame(RST_STREAM, 0, stream, struct.pack(">I", 8))):
                break
            stream += 2
            sent += 1
    elif kind in ("continuation", "empty-continuation"):
        peer.send(frame(HEADERS, 0, 1, get[:1]))
        piece = b"" if kind == "empty-continuation" else b"\x40\x01x\x01y" * 200
        for _ in range(count):
            if stop() or not peer.send(frame(CONTINUATION, 0, 1, piece)):
                break
            sent += 1
    elif kind == "hpack-bomb":
        # One large field inserted into the table, then referenced by one-byte indexes: tiny on the
        # wire, huge decoded.
        big = b"\x40\x01x" + hpack_integer(4000, 7) + b"a" * 4000  # incremental indexing, name "x", 4000-byte value
        bomb = big + b"\xbe" * 2000                 # index 62 (the new entry) again and again
        for _ in range(min(count, 20)):
            if stop() or not peer.send(frame(HEADERS, END_HEADERS | END_STREAM, stream,
                                             bomb_prefix(peer) + bomb)):
                break
            stream += 2
            sent += 1
            time.sleep(0.05)
    elif kind in ("settings", "ping", "window-update", "priority", "empty-data", "empty-headers", "unknown"):
        if kind == "empty-data":
            peer.send(frame(HEADERS, END_HEADERS, 1, peer.block(request_headers("POST", "/echo"))))
        one = {
            "settings": lambda i: frame(SETTINGS, 0, 0, struct.pack(">HI", 3, 100)),
            "ping": lambda i: frame(PING, 0, 0, struct.pack(">Q", i)),
            "window-update": lambda i: frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", 1)),
            "priority": lambda i: frame(PRIORITY, 0, 1 + 2 * (i % 1000), struct.pack(">IB", 0, 15)),
            "empty-data": lambda i: frame(DATA, 0, 1),
            "empty-headers": lambda i: frame(HEADERS, END_HEADERS, 1 + 2 * i),
            "unknown": lambda i: frame(0x20, 0, 0, b""),
        }[kind]
        batch = b""
        for i in range(count):
            if stop():
                break
            batch += one(i)
            sent += 1
            if len(batch) > 4096:
                # The peer does not read while it floods: answers pile up on the server's side.
                if not peer.send(batch):
                    break
                batch = b""
        peer.send(batch)
    elif kind == "slow-read":
        # Grant every window there is, ask for large bodies, then stop reading.
        peer.read_frames(lambda: peer.initial_window != 65535 or peer.send_window != 65535, 5)
        peer.send(frame(SETTINGS, 0, 0, struct.pack(">HI", 4, 0x7FFFFFFF))
                  + frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", 0x40000000)))
        for i in range(min(count, 50)):
            peer.send(frame(HEADERS, END_HEADERS | END_STREAM, 1 + 2 * i, peer.block(request_headers("GET", "/static/big.bin"))))
        sent = min(count, 50)
        # Stay silent until the test has seen the server give up (its slow-read counter, polled in
        # the stats) and says so with a line on stdin; at most `seconds`. Resuming on a fixed clock
        # instead raced the server's write timeout on a busy machine: reads that resume before it
        # gives up are progress, and the whole 200 MB follows.
        ready = select.select([sys.stdin], [], [], seconds)[0]
        if ready:
            sys.stdin.readline()
        # Then read raw until the server's close: what it queued for us was bounded.
        received = 0
        peer.sock.settimeout(1.0)
        end = time.monotonic() + 10
        while time.monotonic() < end:
            try:
                chunk = peer.sock.recv(1 << 20)
            except socket.timeout:
                continue
            except OSError:
                chunk = b""
            if not chunk:
                peer.closed = True
                break
            received += len(chunk)
        result = peer.summary()
        result.update(sent=sent, received=received)
        print(json.dumps(result))
        return
    elif kind == "stream-id-exhaustion":
        last = 0x7FFFFFFF
        peer.send(frame(HEADERS, END_HEADERS | END_STREAM, last, peer.block(request_headers())))
        peer.read_frames(lambda: peer.done(last) and peer.goaway is not None, seconds)
        sent = 1
    elif kind == "no-settings-ack":
        pass
    elif kind == "ok":
        peer.headers(1, request_headers())
        peer.read_frames(lambda: peer.done(1), seconds)
    if reader is not None:
        reader.join(max(0.5, deadline + 5 - time.monotonic()))
    else:
        peer.read_frames(lambda: peer.goaway is not None and (peer.closed or kind == "stream-id-exhaustion"),
                         max(0.5, deadline - time.monotonic()))
    result = peer.summary()
    result["sent"] = sent
    print(json.dumps(result))


def hpack_integer(value, prefix_bits, flags=0):
    """RFC 7541 §5.1."""
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([flags | value])
    out = [flags | limit]
    value -= limit
    while value >= 128:
        out.append(value % 128 + 128)
        value //= 128
    out.append(value)
    return bytes(out)


def bomb_prefix(peer):
    """A valid request's pseudo-headers ahead of the bomb (literal, not indexed, so the table stays ours)."""
    return b"".join(bytes([0x00]) + bytes([len(n)]) + n.encode() + bytes([len(v)]) + v.encode()
                    for n, v in request_headers())


# --- load across reloads ------------------------------------------------------------------------

def load(port, connections, streams, seconds, path):
    """C connections, each with up to S streams in flight, for T seconds; a GOAWAY sends the
    connection's client to a new one. Counts every stream in one class."""
    counts = {"ok": 0, "failed": 0, "refused": 0, "goaways": 0, "connections": 0, "examples": []}
    lock = threading.Lock()
    end = time.monotonic() + seconds

    def client():
        while time.monotonic() < end:
            try:
                peer = Peer(port, timeout=5)
            except OSError:
                with lock:
                    counts["failed"] += 1
                time.sleep(0.05)
                continue
            with lock:
                counts["connections"] += 1
            peer.start()
            next_id, in_flight = 1, set()
            while not peer.closed:
                while peer.goaway is None and len(in_flight) < streams and time.monotonic() < end:
                    peer.headers(next_id, request_headers("GET", path))
                    in_flight.add(next_id)
                    next_id += 2
                if not in_flight:
                    break
                progressed = peer.read_frames(lambda: any(peer.done(s) for s in in_flight), 10)
                for s in list(in_flight):
                    if s in peer.ended and peer.statuses.get(s) == 200:
                        outcome = "ok"
                    elif peer.resets.get(s) == "REFUSED_STREAM":
                        outcome = "refused"
                    elif s in peer.resets:
                        outcome = "failed"
                    elif peer.goaway is not None and s > peer.goaway["last_stream_id"]:
                        outcome = "refused"
                    elif peer.closed:
                        outcome = "failed"
                    else:
                        continue
                    in_flight.discard(s)
                    with lock:
                        counts[outcome] += 1
                        if outcome != "ok" and len(counts["examples"]) < 10:
                            counts["examples"].append({"stream": s, "outcome": outcome, "reset": peer.resets.get(s),
                                                       "goaway": peer.goaway, "closed": peer.closed,
                                                       "status": peer.statuses.get(s)})
                if peer.goaway is not None and not in_flight:
                    break
                if not progressed and not peer.closed:
                    # Ten seconds without an answer: what is in flight is lost.
                    break
            with lock:
                counts["goaways"] += 1 if peer.goaway is not None else 0
                counts["failed"] += len(in_flight)
                if in_flight and len(counts["examples"]) < 10:
                    counts["examples"].append({"streams": sorted(in_flight), "outcome": "unanswered",
                                               "goaway": peer.goaway, "closed": peer.closed})
            try:
                peer.sock.close()
            except OSError:
                pass

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps(counts))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("request")
    r.add_argument("--header", action="append", default=[])
    r.add_argument("--trailer", action="append", default=[])
    r.add_argument("--method", default="GET")
    r.add_argument("--path", default="/cats/1")
    r.add_argument("--body", type=int)
    r.add_argument("--content-length", type=int)
    r.add_argument("--expect-continue", action="store_true")
    r.add_argument("--then-get", action="store_true")
    r.add_argument("--linger", type=float, default=0)
    s = sub.add_parser("streams")
    s.add_argument("--count", type=int, default=6)
    s.add_argument("--path", default="/cats/1")
    f = sub.add_parser("flood")
    f.add_argument("kind")
    f.add_argument("--count", type=int, default=10000)
    f.add_argument("--seconds", type=float, default=10)
    l = sub.add_parser("load")
    l.add_argument("--connections", type=int, default=4)
    l.add_argument("--streams", type=int, default=8)
    l.add_argument("--seconds", type=float, default=10)
    l.add_argument("--path", default="/cats/1")
    args = parser.parse_args()
    if args.command == "request":
        run_request(args.port, args)
    elif args.command == "streams":
        run_streams(args.port, args.count, args.path)
    elif args.command == "flood":
        flood(args.port, args.kind, args.count, args.seconds)
    else:
        load(args.port, args.connections, args.streams, args.seconds, args.path)


if __name__ == "__main__":
    main()
