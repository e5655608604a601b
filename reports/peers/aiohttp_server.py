"""aiohttp peer (its C llhttp parser when built with it): every method on every path reads the body
and answers `ok N`. Usage: aiohttp_server.py PORT"""
import sys

from aiohttp import web


async def echo(request):
    body = await request.read()
    return web.Response(text=f"ok {len(body)}\n")


app = web.Application()
app.router.add_route("*", "/{tail:.*}", echo)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
