#!/usr/bin/env python3
"""A fake h2c server (python-h2) that turns streams away, for the checks that must tell refused
streams from lost ones. MODE:
  refuse  every 4th request of a connection gets RST_STREAM REFUSED_STREAM, the others 200
  goaway  the 6th request of a connection gets GOAWAY NO_ERROR naming the 4th as the last stream
          processed; streams up to it are answered, the ones above are not, then the close
  reset   every 4th request of a connection gets RST_STREAM INTERNAL_ERROR (a loss, not a refusal)
Usage: refusing_h2_server.py PORT MODE (loopback only). Stops after 10 minutes."""
import sys
import h2.config, h2.errors, h2.events
from loopback_server import answer_ok, serve_for_ten_minutes, serve_h2


def serve(sock, mode):
    requests = []

    def handle_events(conn, events):
        for event in events:
            if isinstance(event, h2.events.RequestReceived):
                requests.append(event.stream_id)
                if mode == "goaway" and len(requests) == 6:
                    # Streams up to the 4th were answered as they ended; the rest never will be.
                    conn.close_connection(error_code=h2.errors.ErrorCodes.NO_ERROR, last_stream_id=requests[3])
                    return True
                if mode in ("refuse", "reset") and len(requests) % 4 == 0:
                    code = h2.errors.ErrorCodes.REFUSED_STREAM if mode == "refuse" else h2.errors.ErrorCodes.INTERNAL_ERROR
                    conn.reset_stream(event.stream_id, error_code=code)
            elif isinstance(event, h2.events.DataReceived):
                # Bodies are taken as they come: their credit goes back at once.
                conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, h2.events.StreamEnded):
                answer_ok(conn, event.stream_id)  # nothing for a stream we reset
        return False

    serve_h2(sock, h2.config.H2Configuration(client_side=False), handle_events,
             error_code=h2.errors.ErrorCodes.PROTOCOL_ERROR, linger=True)


if __name__ == "__main__":
    serve_for_ten_minutes(sys.argv[1], serve, sys.argv[2], nodelay=True)
