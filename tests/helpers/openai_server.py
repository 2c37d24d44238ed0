"""A loopback OpenAI-compatible server for tests: POST /v1/chat/completions, non-streaming.

It answers canned replies in order (an empty reply once they run out), records every
request, and can answer an HTTP error instead for chosen request numbers, e.g.
`failures={1: 429}` makes the first request a rate-limit error (for retry tests).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ERROR_TYPES = {429: "rate_limit_exceeded", 500: "server_error", 503: "server_error"}


@dataclass(frozen=True)
class RecordedRequest:
    number: int  # 1-based, in arrival order
    path: str
    headers: dict[str, str]  # lower-case names
    body: dict[str, Any]

    def message_text(self) -> str:
        """All message contents of a chat request, joined, for assertions."""
        parts = []
        for message in self.body.get("messages", []):
            content = message.get("content", "")
            if isinstance(content, list):
                content = "".join(block.get("text", "") for block in content)
            parts.append(str(content))
        return "\n".join(parts)


class OpenAIServer:
    """Use as a context manager; `base_url` is what an OpenAI client takes."""

    def __init__(self, replies: list[str], failures: dict[int, int] | None = None) -> None:
        self.replies = list(replies)
        self.failures = dict(failures or {})
        self.requests: list[RecordedRequest] = []
        self._answered = 0  # successful chat replies so far
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        # A short poll interval makes shutdown() quick; the default waits up to 0.5 s.
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def __enter__(self) -> OpenAIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _answer(
        self, path: str, headers: dict[str, str], body: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        with self._lock:  # the server is threaded; numbering and reply order must stay exact
            number = len(self.requests) + 1
            self.requests.append(RecordedRequest(number, path, headers, body))
            if path != "/v1/chat/completions":
                return 404, _error(f"no route {path}", "not_found")
            if body.get("stream"):
                return 400, _error("this test server does not stream", "invalid_request_error")
            if number in self.failures:
                status = self.failures[number]
                return status, _error(
                    f"scripted failure {status}", ERROR_TYPES.get(status, "error")
                )
            reply = self.replies[self._answered] if self._answered < len(self.replies) else ""
            self._answered += 1
        return 200, _completion(number, str(body.get("model", "")), reply)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"_unparsed": raw.decode(errors="replace")}
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, payload = server._answer(self.path, headers, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                if status == 429:
                    self.send_header("retry-after-ms", "10")  # keeps client retries fast
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

        return Handler


def _completion(number: int, model: str, reply: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-test-{number}",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def _error(message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": kind}}
