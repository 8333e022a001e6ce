"""A loopback HTTP server (127.0.0.1, port 0) that serves a test video, redirects and a slow stream."""

from __future__ import annotations

import http.server
import threading
import time
from pathlib import Path


class QuietHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class LoopbackServer:
    """A threading HTTP server on 127.0.0.1 (port 0) with the handler class given, served while in `with`."""

    def _listen(self, handler: type[http.server.BaseHTTPRequestHandler]) -> None:
        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class LoopbackVideoServer(LoopbackServer):
    """Paths: /video.mp4, /missing.mp4 (404), /slow.mp4 (drips bytes), /redirect?to=<url> (302)."""

    def __init__(self, video: Path) -> None:
        self.video_bytes = video.read_bytes()
        self.requests: list[str] = []
        server = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                if self.path == "/video.mp4":
                    self._send(200, server.video_bytes)
                elif self.path.startswith("/redirect?to="):
                    self.send_response(302)
                    self.send_header("Location", self.path.split("=", 1)[1])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif self.path == "/slow.mp4":
                    self._drip()
                else:
                    self._send(404, b"not found", content_type="text/plain")

            do_HEAD = do_GET

            def _send(self, status: int, body: bytes, content_type: str = "video/mp4") -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _drip(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "video/mp4")
                self.send_header("Content-Length", str(100 * 4096))
                self.end_headers()
                try:
                    for _ in range(100):  # 4 KiB every 50 ms: 5 s in all, unless the client gives up
                        self.wfile.write(b"\0" * 4096)
                        self.wfile.flush()
                        time.sleep(0.05)
                except OSError:
                    pass

        self._listen(Handler)
