#!/usr/bin/env python3
"""A fake h2c server (python-h2) that turns streams away, for the checks that must tell refused
streams from lost ones. MODE:
  refuse  every 4th request of a connection gets RST_STREAM REFUSED_STREAM, the others 200
  goaway  the 6th request of a connection gets GOAWAY NO_ERROR naming the 4th as the last stream
          processed; streams up to it are answered, the ones above are not, then the close
  reset   every 4th request of a connection gets RST_STREAM INTERNAL_ERROR (a loss, not a refusal)
Usage: refusing_h2_server.py PORT MODE (loopback only). Stops after 10 minutes."""
import socket, sys, threading, time
import h2.config, h2.connection, h2.errors, h2.events, h2.exceptions


def serve(sock, mode):
    conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=False))
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())
    requests = []
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                break
            try:
                events = conn.receive_data(data)
            except h2.exceptions.ProtocolError:
                conn.close_connection(error_code=h2.errors.ErrorCodes.PROTOCOL_ERROR)
                sock.sendall(conn.data_to_send())
                break
            going_away = False
            for event in events:
                if isinstance(event, h2.events.RequestReceived):
                    requests.append(event.stream_id)
                    if mode == "goaway" and len(requests) == 6:
                        # Streams up to the 4th were answered as they ended; the rest never will be.
                        conn.close_connection(error_code=h2.errors.ErrorCodes.NO_ERROR, last_stream_id=requests[3])
                        going_away = True
                        break
                    if mode in ("refuse", "reset") and len(requests) % 4 == 0:
                        code = h2.errors.ErrorCodes.REFUSED_STREAM if mode == "refuse" else h2.errors.ErrorCodes.INTERNAL_ERROR
                        conn.reset_stream(event.stream_id, error_code=code)
                elif isinstance(event, h2.events.DataReceived):
                    # Bodies are taken as they come: their credit goes back at once.
                    conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, h2.events.StreamEnded):
                    respond(conn, event.stream_id)
            sock.sendall(conn.data_to_send())
            if going_away:
                break
    except (OSError, h2.exceptions.StreamClosedError):
        pass
    finally:
        try:
            sock.shutdown(socket.SHUT_WR)
            sock.settimeout(1)
            while sock.recv(65536):
                pass
        except OSError:
            pass
        sock.close()


def respond(conn, stream_id):
    try:
        conn.send_headers(stream_id, [(":status", "200"), ("content-length", "2")])
        conn.send_data(stream_id, b"ok", end_stream=True)
    except (h2.exceptions.ProtocolError, h2.exceptions.StreamClosedError):
        pass  # a stream we reset


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
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=serve, args=(client, sys.argv[2]), daemon=True).start()


if __name__ == "__main__":
    main()
