#!/usr/bin/env python3
"""A server that picks the protocol from a connection's first bytes, whatever ALPN said: the HTTP/2
preface gets an empty SETTINGS and the ACK of the client's, and each PING its ACK; anything else an
HTTP/1.1 200 and a close (after the client's end: a close with unread bytes would be a reset). Over h2c with prior knowledge that is allowed; over TLS
(with CERT and KEY, ALPN h2 selected) the connection is HTTP/2 and the HTTP/1.1 answer is wrong
(RFC 9113 §3.2). Usage: sniffing_server.py PORT [CERT KEY]. Stops after 10 minutes."""
import ssl, sys
from loopback_server import serve_for_ten_minutes

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
SETTINGS, SETTINGS_ACK = b"\x00\x00\x00\x04\x00\x00\x00\x00\x00", b"\x00\x00\x00\x04\x01\x00\x00\x00\x00"


def serve(client, context):
    try:
        client.settimeout(5)
        if context is not None:
            client = context.wrap_socket(client, server_side=True)
        first = b""
        while len(first) < 4:
            chunk = client.recv(65536)
            if not chunk:
                return
            first += chunk
        if first.startswith(PREFACE[:4]):
            client.sendall(SETTINGS + SETTINGS_ACK)
            buffered = first
            while len(buffered) < len(PREFACE):
                chunk = client.recv(65536)
                if not chunk:
                    return
                buffered += chunk
            buffered = buffered[len(PREFACE):]
            while True:
                while len(buffered) >= 9 and len(buffered) >= 9 + int.from_bytes(buffered[:3], "big"):
                    length = int.from_bytes(buffered[:3], "big")
                    if buffered[3] == 6 and not buffered[4] & 1:
                        client.sendall(b"\x00\x00\x08\x06\x01\x00\x00\x00\x00" + buffered[9:9 + length])
                    buffered = buffered[9 + length:]
                chunk = client.recv(65536)
                if not chunk:
                    return
                buffered += chunk
        else:
            client.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n")
            while client.recv(65536):
                pass
    except (OSError, ssl.SSLError):
        pass
    finally:
        client.close()


context = None
if len(sys.argv) > 3:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[2], sys.argv[3])
    context.set_alpn_protocols(["h2"])
serve_for_ten_minutes(sys.argv[1], serve, context, backlog=64)
