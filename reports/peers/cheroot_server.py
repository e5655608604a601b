"""cheroot peer (CherryPy's WSGI server) running the WSGI app of gunicorn_app.py.
Usage: cheroot_server.py PORT"""
import sys

from cheroot import wsgi

from gunicorn_app import app

server = wsgi.Server(("127.0.0.1", int(sys.argv[1])), app, numthreads=16)
server.start()
