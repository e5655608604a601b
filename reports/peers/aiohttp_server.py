"""aiohttp peer (its C llhttp parser when built with it): every method on every target, including an
absolute-form target with an empty path that the router's "/{tail}" routes never match, reads the
body and answers `ok N`. Usage: aiohttp_server.py PORT"""
import asyncio
import sys

from aiohttp import web


async def echo(request):
    body = await request.read()
    return web.Response(text=f"ok {len(body)}\n")


async def main(port):
    # The low-level server hands every parsed request to `echo`, with no routing in between.
    runner = web.ServerRunner(web.Server(echo))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    await asyncio.Event().wait()


asyncio.run(main(int(sys.argv[1])))
