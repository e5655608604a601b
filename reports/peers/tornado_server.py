"""tornado peer: its own HTTP/1.1 server, every method on every path reads the body and answers `ok N`.
Usage: tornado_server.py PORT"""
import asyncio
import sys

import tornado.web


class Echo(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE")

    def answer(self, *args):
        self.set_header("Content-Type", "text/plain")
        self.write(b"ok %d\n" % len(self.request.body))

    get = head = post = put = delete = patch = options = connect = trace = answer


async def main():
    tornado.web.Application([(r".*", Echo)]).listen(int(sys.argv[1]), address="127.0.0.1")
    await asyncio.Event().wait()


asyncio.run(main())
