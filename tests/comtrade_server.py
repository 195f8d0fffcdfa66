"""A local stand-in for UN Comtrade's API: serves the response fixtures in tests/fixtures/comtrade/.

The official client builds every URL itself; the import hands it a pool
manager that sends those requests here (`--api-url`), so the tests run the
client's own code against responses in the API's documented format, with no
network. Each endpoint has a script: the responses it gives, in order, the
last one repeated.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent / "fixtures" / "comtrade"
PREVIEW, DATA, AVAILABILITY, KEYED_AVAILABILITY = "/public/v1/preview/", "/data/v1/get/", "/public/v1/getDa/", \
    "/data/v1/getDa/"


@dataclass
class Reply:
    fixture: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Script:
    replies: dict[str, list[Reply]] = field(default_factory=dict)  # endpoint prefix -> replies in order
    requests: list[tuple[str, dict[str, list[str]]]] = field(default_factory=list)  # (path, query) as received

    def next(self, path: str) -> Reply | None:
        prefix = max((p for p in self.replies if path.startswith(p)), key=len, default=None)
        if prefix is None:
            return None
        queue = self.replies[prefix]
        return queue.pop(0) if len(queue) > 1 else queue[0]


class Server:
    """`with Server(script) as url:` serves the script on 127.0.0.1 until the block ends."""

    def __init__(self, script: Script):
        self.script = script
        script_ref = script

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the name http.server calls)
                parts = urlsplit(self.path)
                script_ref.requests.append((parts.path, parse_qs(parts.query)))
                reply = script_ref.next(parts.path)
                if reply is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                body = (FIXTURES / reply.fixture).read_bytes()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def closed_port() -> str:
    """An address on this machine where nothing listens: a port bound, then released."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"
