"""Local HTTP webhook receivers on 127.0.0.1, each in its own thread.

Each records every request it gets (headers and raw body bytes). Behaviour is
scripted per receiver: answer the first `fail_times` requests with
`fail_status` (and an optional Retry-After), or hold the first request until
`release` is set (to kill a worker mid-request).
"""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    at: float
    status: int


@dataclass
class Receiver:
    fail_times: int = 0
    fail_status: int = 503
    retry_after: str | None = None
    hold_first: bool = False
    requests: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    got_request: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hook"

    @property
    def delivered(self) -> list[Received]:
        return [r for r in self.requests if 200 <= r.status < 300]

    def start(self) -> "Receiver":
        receiver = self
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with lock:
                    number = len(receiver.requests)
                    status = 200
                    if number < receiver.fail_times:
                        status = receiver.fail_status
                    record = Received(
                        {k.lower(): v for k, v in self.headers.items()}, body, time.time(), status
                    )
                    receiver.requests.append(record)
                receiver.got_request.set()
                if receiver.hold_first and number == 0:
                    receiver.release.wait(60)
                try:
                    self.send_response(status)
                    if status != 200 and receiver.retry_after:
                        self.send_header("Retry-After", receiver.retry_after)
                    self.send_header("content-length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the client went away (a killed worker)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def wait_until(condition, timeout: float = 30.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()
