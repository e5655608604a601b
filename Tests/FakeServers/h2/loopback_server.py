"""What the fake servers share: a loopback listener that hands each connection to its own thread for
10 minutes (the HTTP/1.1 fakes in ../h1 use it too), and python-h2's read loop for one server
connection. python-h2 is imported by what uses it, so an HTTP/1.1 fake does not need it."""
import socket, threading, time


def serve_for_ten_minutes(port, serve, *args, backlog=128, nodelay=False):
    """Accepts on 127.0.0.1:PORT and runs serve(client, *args) in a daemon thread per connection."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", int(port)))
    listener.listen(backlog)
    listener.settimeout(1)
    deadline = time.time() + 600
    while time.time() < deadline:
        try:
            client, _ = listener.accept()
        except socket.timeout:
            continue
        if nodelay:
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=serve, args=(client, *args), daemon=True).start()


def serve_h2(sock, config, handle_events, error_code=None, linger=False):
    """One h2c connection: the server preface, then each read fed to python-h2 and its events to
    handle_events(conn, events), which queues frames and returns True to end the connection after they
    are sent. Input python-h2 rejects gets GOAWAY with error_code (default: the error's own) and the
    close; linger half-closes and drains the client before closing."""
    import h2.connection, h2.exceptions
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
                conn.close_connection(error_code=getattr(error, "error_code", 1) if error_code is None else error_code)
                sock.sendall(conn.data_to_send())
                break
            done = handle_events(conn, events)
            sock.sendall(conn.data_to_send())
            if done:
                break
    except (OSError, h2.exceptions.StreamClosedError):
        pass
    finally:
        if linger:
            try:
                sock.shutdown(socket.SHUT_WR)
                sock.settimeout(1)
                while sock.recv(65536):
                    pass
            except OSError:
                pass
        sock.close()


def answer_ok(conn, stream_id):
    """200 with the body "ok"; nothing for a stream that was reset or closed meanwhile."""
    import h2.exceptions
    try:
        conn.send_headers(stream_id, [(":status", "200"), ("content-length", "2")])
        conn.send_data(stream_id, b"ok", end_stream=True)
    except h2.exceptions.ProtocolError:
        pass
