"""A webhook receiver for the tests: a real HTTP server on loopback that records what it is sent and answers with
the statuses a test scripts."""

from __future__ import annotations

import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self) -> None:
        self.received: list[dict] = []  # {"path", "headers", "body"}
        self.answers: deque[int] = deque()  # statuses to answer with, in order; then 204
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                status = receiver.answers.popleft() if receiver.answers else 204
                receiver.received.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                          "body": body.decode(), "status": status})
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *_args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def bodies(self, path: str | None = None) -> list[dict]:
        return [json.loads(r["body"]) for r in self.received if path is None or r["path"] == path]
