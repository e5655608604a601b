#!/usr/bin/env python3
"""A fake h2c server (python-h2) that commits known errors: it does not validate inbound header
fields, so it answers 200 to requests with uppercase names, connection-specific fields or CR/LF in
values, which a strict server resets (RFC 9113 §8.2). Everything else is python-h2's own handling.
Usage: lax_h2_server.py PORT (loopback only). Stops when its parent closes stdin or after 10 minutes."""
import sys
import h2.config, h2.events
from loopback_server import answer_ok, serve_for_ten_minutes, serve_h2


def serve(sock):
    config = h2.config.H2Configuration(client_side=False, validate_inbound_headers=False,
                                       normalize_inbound_headers=False)
    serve_h2(sock, config, handle_events)


def handle_events(conn, events):
    for event in events:
        if isinstance(event, h2.events.RequestReceived) and event.stream_ended:
            answer_ok(conn, event.stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            answer_ok(conn, event.stream_id)


if __name__ == "__main__":
    serve_for_ten_minutes(sys.argv[1], serve)
