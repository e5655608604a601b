#!/usr/bin/env python3
"""A pre-fork HTTP/1.1 server that reloads the wrong way, to prove `cathammer reload-check` sees it.

On SIGHUP the master closes its listening socket, SIGKILLs its workers without letting them finish
(L1, L2, L4, L5 in notes/reload-and-herd.md), waits GAP seconds with nothing listening, then binds
again and forks new workers. Usage: bad-reload-server.py PORT [WORKERS] [GAP]
"""
import os
import signal
import socket
import sys
import time

PORT = int(sys.argv[1])
WORKERS = int(sys.argv[2]) if len(sys.argv) > 2 else 2
GAP = float(sys.argv[3]) if len(sys.argv) > 3 else 0.1


def listen():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", PORT))
    sock.listen(1024)
    return sock


def serve_connection(conn):
    buffer = b""
    while True:
        while b"\r\n\r\n" not in buffer:
            data = conn.recv(65536)
            if not data:
                return
            buffer += data
        head, buffer = buffer.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        length = 0
        close = False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
            if name.strip().lower() == b"connection" and value.strip().lower() == b"close":
                close = True
        while len(buffer) < length:
            data = conn.recv(65536)
            if not data:
                return
            buffer += data
        buffer = buffer[length:]
        body = b"ok\n"
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s"
                     % (len(body), b"Connection: close\r\n" if close else b"", body))
        if close:
            return


def worker(sock):
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    while True:
        conn, _ = sock.accept()
        try:
            serve_connection(conn)
        except OSError:
            pass
        finally:
            conn.close()


def spawn(sock):
    pids = []
    for _ in range(WORKERS):
        pid = os.fork()
        if pid == 0:
            try:
                worker(sock)
            finally:
                os._exit(0)
        pids.append(pid)
    return pids


reload_requested = False
stop_requested = False


def on_hup(signum, frame):
    global reload_requested
    reload_requested = True


def on_term(signum, frame):
    global stop_requested
    stop_requested = True


signal.signal(signal.SIGHUP, on_hup)
signal.signal(signal.SIGTERM, on_term)
listener = listen()
workers = spawn(listener)
while not stop_requested:
    if reload_requested:
        reload_requested = False
        listener.close()
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        for pid in workers:
            os.waitpid(pid, 0)
        time.sleep(GAP)
        listener = listen()
        workers = spawn(listener)
    time.sleep(0.01)
for pid in workers:
    os.kill(pid, signal.SIGKILL)
