#!/usr/bin/env python3
"""An HTTP/1.1-only server on loopback: answers anything with 400 and closes, as an HTTP/1.1 server
answers the HTTP/2 preface. Usage: http1_only_server.py PORT. Stops after 10 minutes."""
import sys
from loopback_server import serve_for_ten_minutes

def serve(client):
    try:
        client.settimeout(2)
        client.recv(65536)
        client.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    except OSError:
        pass
    finally:
        client.close()

serve_for_ten_minutes(sys.argv[1], serve, backlog=64)
