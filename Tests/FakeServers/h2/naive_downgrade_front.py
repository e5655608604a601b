#!/usr/bin/env python3
"""A fake HTTP/2 front (python-h2, h2c with prior knowledge) that downgrades naively, committing the
downgrade discrepancy classes on purpose: it validates no inbound field, writes :method and :path into
the HTTP/1.1 request line as they are, copies every field line (transfer-encoding, content-length,
upgrade, CR/LF in values included) and the DATA to the origin over one kept connection per client
connection, and answers the client with the origin's status.
Usage: naive_downgrade_front.py PORT ORIGIN_HOST:PORT (loopback only). Stops after 10 minutes."""
import socket, sys
import h2.config, h2.events, h2.exceptions, h2.stream
from loopback_server import serve_for_ten_minutes, serve_h2

# A content-length that disagrees with the DATA is forwarded, not refused (the H2.CL front).
h2.stream.H2Stream._track_content_length = lambda self, length, end_stream: None


def origin_exchange(upstream, request):
    """Sends one request, reads until the response head (and a Content-Length body) or 0.5 s of quiet."""
    upstream.sendall(request)
    upstream.settimeout(0.5)
    data = b""
    while True:
        try:
            chunk = upstream.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
        head, sep, body = data.partition(b"\r\n\r\n")
        if sep:
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip() or b"0")
            if len(body) >= length:
                break
    try:
        return int(data.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return 502


def serve(sock, origin):
    config = h2.config.H2Configuration(client_side=False, validate_inbound_headers=False,
                                       normalize_inbound_headers=False, header_encoding=None)
    host, port = origin.rsplit(":", 1)
    upstream = socket.create_connection((host, int(port)))
    streams = {}

    def handle_events(conn, events):
        for event in events:
            if isinstance(event, h2.events.RequestReceived):
                streams[event.stream_id] = {"headers": event.headers, "body": b""}
            elif isinstance(event, h2.events.DataReceived):
                streams.setdefault(event.stream_id, {"headers": [], "body": b""})["body"] += event.data
                conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            if isinstance(event, (h2.events.StreamEnded,)) or (
                    isinstance(event, h2.events.RequestReceived) and event.stream_ended):
                stream = streams.pop(event.stream_id, None)
                if stream is None:
                    continue
                pseudo = {n: v for n, v in stream["headers"] if n.startswith(b":")}
                fields = [(n, v) for n, v in stream["headers"] if not n.startswith(b":")]
                request = pseudo.get(b":method", b"GET") + b" " + pseudo.get(b":path", b"/") + b" HTTP/1.1\r\n"
                if not any(n.lower() == b"host" for n, _ in fields):
                    request += b"Host: " + pseudo.get(b":authority", b"") + b"\r\n"
                for name, value in fields:
                    request += name + b": " + value + b"\r\n"
                if stream["body"] and not any(n.lower() in (b"content-length", b"transfer-encoding") for n, _ in fields):
                    request += b"Content-Length: " + str(len(stream["body"])).encode() + b"\r\n"
                status = origin_exchange(upstream, request + b"\r\n" + stream["body"])
                try:
                    conn.send_headers(event.stream_id, [(b":status", str(status).encode()), (b"content-length", b"0")],
                                      end_stream=True)
                except h2.exceptions.ProtocolError:
                    pass

    try:
        serve_h2(sock, config, handle_events)
    finally:
        upstream.close()


if __name__ == "__main__":
    serve_for_ten_minutes(sys.argv[1], serve, sys.argv[2])
