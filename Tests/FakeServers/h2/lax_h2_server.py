#!/usr/bin/env python3
"""A fake h2c server (python-h2) that commits known errors: it does not validate inbound header
fields, so it answers 200 to requests with uppercase names, connection-specific fields or CR/LF in
values, which a strict server resets (RFC 9113 §8.2). Everything else is python-h2's own handling.
Usage: lax_h2_server.py PORT (loopback only). Stops when its parent closes stdin or after 10 minutes."""
import socket, sys, threading, time
import h2.config, h2.connection, h2.events, h2.exceptions

def serve(sock):
    config = h2.config.H2Configuration(client_side=False, validate_inbound_headers=False,
                                       normalize_inbound_headers=False)
    conn = h2.connection.H2Connection(config=config)
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                break
            try:
                events = conn.receive_data(data)
            except h2.exceptions.ProtocolError as error:
                conn.close_connection(error_code=getattr(error, "error_code", 1))
                sock.sendall(conn.data_to_send())
                break
            for event in events:
                if isinstance(event, h2.events.RequestReceived) and event.stream_ended:
                    respond(conn, event.stream_id)
                elif isinstance(event, h2.events.StreamEnded):
                    respond(conn, event.stream_id)
            sock.sendall(conn.data_to_send())
    except (OSError, h2.exceptions.StreamClosedError):
        pass
    finally:
        sock.close()

def respond(conn, stream_id):
    try:
        conn.send_headers(stream_id, [(":status", "200"), ("content-length", "2")])
        conn.send_data(stream_id, b"ok", end_stream=True)
    except h2.exceptions.ProtocolError:
        pass

def main():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", int(sys.argv[1])))
    listener.listen(128)
    listener.settimeout(1)
    deadline = time.time() + 600
    while time.time() < deadline:
        try:
            client, _ = listener.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve, args=(client,), daemon=True).start()

if __name__ == "__main__":
    main()
