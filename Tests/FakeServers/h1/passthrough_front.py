#!/usr/bin/env python3
"""A fake HTTP/1.1 front for the chain fuzzing tests: it forwards every byte of a client connection
to the origin on a connection of its own and relays the origin's bytes back, half-closes included,
judging nothing, so whatever the strict origin refuses reaches it (forwarded-invalid). The process
counterpart of FakeFront.passthrough, for tests that start the front by command line.
Usage: passthrough_front.py PORT ORIGIN_HOST:PORT (loopback only). Stops after 10 minutes."""
import os, socket, sys, threading
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "h2"))
from loopback_server import serve_for_ten_minutes


def pump(source, sink):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    try:
        sink.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def serve(client, origin):
    host, port = origin.rsplit(":", 1)
    try:
        upstream = socket.create_connection((host, int(port)), timeout=5)
    except OSError:
        client.close()
        return
    upstream.settimeout(None)
    back = threading.Thread(target=pump, args=(upstream, client), daemon=True)
    back.start()
    pump(client, upstream)
    back.join(30)
    client.close()
    upstream.close()


def main():
    serve_for_ten_minutes(sys.argv[1], serve, sys.argv[2], backlog=64)


if __name__ == "__main__":
    main()
