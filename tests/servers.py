"""Real HTTP servers on 127.0.0.1 for the receiver's loopback tests: uvicorn and wsgiref."""

import threading
import time
from collections.abc import Generator
from contextlib import contextmanager
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import uvicorn

from bandwidth_events import Receiver, asgi_app, wsgi_app


@contextmanager
def serve_asgi(receiver: Receiver, *, run_sync_inline: bool = False) -> Generator[str, None, None]:
    """Run the receiver's ASGI app under uvicorn on a free port; give its URL."""
    config = uvicorn.Config(
        asgi_app(receiver, run_sync_inline=run_sync_inline),
        host="127.0.0.1",
        port=0,
        log_level="warning",
        ws="none",
        http="h11",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/bandwidth/events"
    finally:
        server.should_exit = True
        thread.join(10)


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 -- the base's name
        """Keep the test output clean."""


@contextmanager
def serve_wsgi(receiver: Receiver) -> Generator[str, None, None]:
    """Run the receiver's WSGI app under the standard library's server (threaded); give its URL."""
    server = make_server(
        "127.0.0.1",
        0,
        wsgi_app(receiver),
        server_class=_ThreadingWSGIServer,
        handler_class=_QuietHandler,
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/bandwidth/events"
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()
