"""Helpers for the sandbox's own tests: the real SDK client pointed at the sandbox."""

import pytest

from newsletter.mailchimp.client import get_client


@pytest.fixture
def mc(mailchimp_sandbox):
    """The project's SDK client (newsletter.mailchimp.client.get_client) against the sandbox."""
    return get_client()


class Receiver:
    """A tiny HTTP server that records what it is sent (a stand-in for our webhook view)."""

    def __init__(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.calls: list[dict] = []
        self.get_status = 200
        self.post_statuses: list[int] = []  # answered in turn; 200 once exhausted
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self, status):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                receiver.calls.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": body,
                        "answered": status,
                    }
                )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self):
                self._record(receiver.get_status)

            def do_POST(self):
                status = receiver.post_statuses.pop(0) if receiver.post_statuses else 200
                self._record(status)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook/secret"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def posts(self) -> list[dict]:
        from urllib.parse import parse_qs

        found = []
        for call in self.calls:
            if call["method"] == "POST" and call["answered"] == 200:
                fields = {
                    k: v[-1] for k, v in parse_qs(call["body"], keep_blank_values=True).items()
                }
                found.append({**call, "form": fields})
        return found

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()
