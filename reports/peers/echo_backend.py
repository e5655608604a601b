"""The body-reading echo backend that proxy peers (nginx, haproxy, apache2 mod_proxy, lighttpd, h2o,
caddy) forward to, so that the front end's framing is what the corpus sees: a proxy that answered
by itself (nginx `return`, haproxy `http-request return`) can answer before it has read the body,
which made body cases fail for the configuration rather than for the parser.

Reads each request's body to its end (Content-Length, or chunked as a proxy may stream it), answers
`ok N` (N = body bytes read; after a 100 Continue when the request expects one) and keeps the
connection for the proxy's next request.
Usage: echo_backend.py PORT"""
import socket
import socketserver
import sys


class Handler(socketserver.StreamRequestHandler):
    def read_line(self):
        line = self.rfile.readline(65537)
        if not line:
            raise EOFError
        return line

    def body_length(self, head):
        fields = {}
        for line in head[1:]:
            name, _, value = line.partition(b":")
            fields[name.strip().lower()] = value.strip().lower()
        if b"chunked" in fields.get(b"transfer-encoding", b""):
            total = 0
            while True:
                size = int(self.read_line().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.read_line() not in (b"\r\n", b"\n"):
                        pass
                    return total
                total += len(self.rfile.read(size))
                self.read_line()
        length = int(fields.get(b"content-length", b"0") or b"0")
        return len(self.rfile.read(length)) if length else 0

    def handle(self):
        try:
            while True:
                head = []
                while True:
                    line = self.read_line()
                    if line in (b"\r\n", b"\n"):
                        if head:
                            break
                        continue
                    head.append(line.rstrip(b"\r\n"))
                if any(line.lower().replace(b" ", b"").startswith(b"expect:100-continue") for line in head[1:]):
                    # A proxy that forwards the expectation (apache2 mod_proxy does) waits for this
                    # before it sends the body; an origin that never sends it deadlocks the chain.
                    self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                    self.wfile.flush()
                length = self.body_length(head)
                body = b"ok %d\n" % length
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
                self.wfile.flush()
        except (EOFError, ValueError, ConnectionError, socket.timeout):
            return


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024  # the default 5 stalls under the corpus's concurrent connections


if __name__ == "__main__":
    with Server(("127.0.0.1", int(sys.argv[1])), Handler) as server:
        server.serve_forever()
