"""A loopback OpenAI-compatible server for tests: POST /v1/chat/completions, plain JSON or
streamed as server-sent events (`"stream": true`), with text or tool-call replies.

It answers canned replies in order (an empty reply once they run out) and records every
request. A reply is a string, or a tool-call object as in the scripted model's replies file:
`{"tool_calls": [{"name": "read_file", "args": {"path": "a.py"}}], "content": ""}`.
`failures={1: 429}` answers request 1 with that HTTP error instead (a reply is not used up);
`delays={1: 0.5}` waits that long before answering request 1 (for client timeouts).
Usage is reported as chars/4 of the request's messages and of the reply.
"""

from __future__ import annotations

import json
import math
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ERROR_TYPES = {429: "rate_limit_exceeded", 500: "server_error", 503: "server_error"}
Reply = str | dict[str, Any]


@dataclass(frozen=True)
class RecordedRequest:
    number: int  # 1-based, in arrival order
    path: str
    headers: dict[str, str]  # lower-case names
    body: dict[str, Any]
    raw: bytes  # the body as sent, for "this never went over the wire" checks
    arrived: float  # time.monotonic() at arrival

    def message_text(self) -> str:
        """All message contents of a chat request, joined, for assertions."""
        parts = []
        for message in self.body.get("messages", []):
            content = message.get("content") or ""
            if isinstance(content, list):
                content = "".join(block.get("text", "") for block in content)
            parts.append(str(content))
        return "\n".join(parts)


class OpenAIServer:
    """Use as a context manager; `base_url` is what an OpenAI client takes."""

    def __init__(
        self,
        replies: list[Reply],
        failures: dict[int, int] | None = None,
        delays: dict[int, float] | None = None,
    ) -> None:
        self.replies = list(replies)
        self.failures = dict(failures or {})
        self.delays = dict(delays or {})
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
        self, path: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, dict[str, Any] | list[dict[str, Any]], float]:
        """(status, a JSON body or the chunks of a stream, seconds to wait first)."""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {"_unparsed": raw.decode(errors="replace")}
        with self._lock:  # the server is threaded; numbering and reply order must stay exact
            number = len(self.requests) + 1
            request = RecordedRequest(number, path, headers, body, raw, time.monotonic())
            self.requests.append(request)
            delay = self.delays.get(number, 0.0)
            if path != "/v1/chat/completions":
                return 404, _error(f"no route {path}", "not_found"), delay
            if number in self.failures:
                status = self.failures[number]
                kind = ERROR_TYPES.get(status, "error")
                return status, _error(f"scripted failure {status}", kind), delay
            reply = self.replies[self._answered] if self._answered < len(self.replies) else ""
            self._answered += 1
        model = str(body.get("model", ""))
        usage = _usage(request.message_text(), reply)
        if body.get("stream"):
            with_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return 200, _chunks(number, model, reply, usage if with_usage else None), delay
        return 200, _completion(number, model, reply, usage), delay

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, payload, delay = server._answer(self.path, headers, raw)
                time.sleep(delay)
                try:
                    if isinstance(payload, list):
                        self._stream(payload)
                    else:
                        self._json(status, payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test); nothing to answer

            def _json(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                if status == 429:
                    self.send_header("retry-after-ms", "10")  # as real servers say how long
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, chunks: list[dict[str, Any]]) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("cache-control", "no-cache")
                self.end_headers()
                for chunk in chunks:
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True  # no content-length: the end of a stream is EOF

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

        return Handler


def _usage(prompt: str, reply: Reply) -> dict[str, int]:
    sent = math.ceil(len(prompt) / 4)
    got = math.ceil(len(reply if isinstance(reply, str) else json.dumps(reply)) / 4)
    return {"prompt_tokens": sent, "completion_tokens": got, "total_tokens": sent + got}


def _tool_calls(number: int, reply: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "id": f"call_{number}_{k}",
            "type": "function",
            "function": {"name": call["name"], "arguments": json.dumps(call.get("args", {}))},
        }
        for k, call in enumerate(reply["tool_calls"])
    ]


def _completion(number: int, model: str, reply: Reply, usage: dict[str, int]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply}
    finish = "stop"
    if isinstance(reply, dict):
        message = {"role": "assistant", "content": reply.get("content") or None,
                   "tool_calls": _tool_calls(number, reply)}  # fmt: skip
        finish = "tool_calls"
    return {
        "id": f"chatcmpl-test-{number}",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": usage,
    }


def _chunks(
    number: int, model: str, reply: Reply, usage: dict[str, int] | None
) -> list[dict[str, Any]]:
    """The stream of one reply: role, content in three pieces or tool-call deltas (name
    first, then arguments, as OpenAI sends them), the finish reason, then usage if asked."""

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {"id": f"chatcmpl-test-{number}", "object": "chat.completion.chunk", "created": 0,
                "model": model, "choices": [{"index": 0, "delta": delta,
                                             "finish_reason": finish, "logprobs": None}]}  # fmt: skip

    out = [chunk({"role": "assistant", "content": ""})]
    if isinstance(reply, str):
        third = max(1, math.ceil(len(reply) / 3))
        out += [chunk({"content": reply[i : i + third]}) for i in range(0, len(reply), third)]
        out.append(chunk({}, "stop"))
    else:
        for k, call in enumerate(_tool_calls(number, reply)):
            head = {"index": k, "id": call["id"], "type": "function",
                    "function": {"name": call["function"]["name"], "arguments": ""}}  # fmt: skip
            out.append(chunk({"tool_calls": [head]}))
            args = {"index": k, "function": {"arguments": call["function"]["arguments"]}}
            out.append(chunk({"tool_calls": [args]}))
        out.append(chunk({}, "tool_calls"))
    if usage is not None:
        out.append({"id": f"chatcmpl-test-{number}", "object": "chat.completion.chunk",
                    "created": 0, "model": model, "choices": [], "usage": usage})  # fmt: skip
    return out


def _error(message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": kind}}
