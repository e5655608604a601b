#!/usr/bin/env python3
"""An HTTP/1.1-only server on loopback: answers anything with 400 and closes, as an HTTP/1.1 server
answers the HTTP/2 preface. Usage: http1_only_server.py PORT. Stops after 10 minutes."""
import socket, sys, threading, time

def serve(client):
    try:
        client.settimeout(2)
        client.recv(65536)
        client.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    except OSError:
        pass
    finally:
        client.close()

listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", int(sys.argv[1])))
listener.listen(64)
listener.settimeout(1)
deadline = time.time() + 600
while time.time() < deadline:
    try:
        client, _ = listener.accept()
    except socket.timeout:
        continue
    threading.Thread(target=serve, args=(client,), daemon=True).start()
