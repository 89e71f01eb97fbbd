"""A small OpenAI-compatible chat-completions server for tests: the only fake in the LLM tests.

It listens on 127.0.0.1 on a free port, in a background thread, and serves
POST /v1/chat/completions (and /chat/completions) both as one JSON `chat.completion`
(`"stream": false`) and as Server-Sent Events of `chat.completion.chunk`s ending in
`data: [DONE]` (`"stream": true`), as the openai client used by llama-index expects.

Every request is recorded (`server.requests`). What the server replies is scripted per test:
queued replies are used first, in order (`server.queue(...)`), then `server.reply`, a
function of the request or a fixed reply. A reply is a text or a `Reply`, which can also be
an HTTP error (`status=500`), a hang longer than the client's timeout (`hang=5`, or in the
middle of a stream with `hang_after=2`), or a stream cut into given pieces (`pieces=[...]`,
`pause` seconds apart).

    with FakeLLM() as server:
        server.reply = lambda request: "青禾县金属镁年产能8万吨[1]。"
        settings = Settings(llm_base_url=server.base_url, ...)
        ...
        server.reset()  # forget requests and script; end hangs
"""

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PATHS = ("/v1/chat/completions", "/chat/completions")
PIECE_CHARS = 4  # characters per streamed chunk unless a Reply gives its pieces


@dataclass
class Reply:
    """What the server answers to one request."""

    text: str = ""
    status: int = 200
    hang: float = 0.0  # seconds to wait before answering (cut short by reset() or stop())
    hang_after: int | None = None  # streaming: hang after this many pieces instead of before
    pieces: list[str] | None = None  # streamed chunks; default: the text cut every PIECE_CHARS
    pause: float = 0.0  # seconds between streamed chunks

    def chunks(self) -> list[str]:
        if self.pieces is not None:
            return list(self.pieces)
        return [self.text[i:i + PIECE_CHARS] for i in range(0, len(self.text), PIECE_CHARS)]


@dataclass
class Request:
    """One request the server received."""

    path: str
    headers: dict[str, str]
    body: dict
    reply: Reply | None = None

    @property
    def messages(self) -> list[dict]:
        return self.body.get("messages", [])

    def content(self, role: str) -> str:
        """The text of the (first) message with this role; '' when there is none."""
        for message in self.messages:
            if message.get("role") == role:
                return _text(message.get("content"))
        return ""

    @property
    def system(self) -> str:
        return self.content("system")

    @property
    def user(self) -> str:
        return self.content("user")

    @property
    def stream(self) -> bool:
        return bool(self.body.get("stream"))

    @property
    def model(self) -> str:
        return self.body.get("model", "")


Script = Callable[[Request], "str | Reply"]


@dataclass
class FakeLLM:
    """The server; a context manager (start/stop). Reset between tests with `reset()`."""

    model: str = "fake-model"
    reply: "Script | str | Reply" = "NOT FOUND"
    requests: list[Request] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self):
        self._queue: deque = deque()
        self._lock = threading.Lock()
        self._release = threading.Event()  # set by stop() and reset(): ends hangs
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # life cycle

    def start(self) -> "FakeLLM":
        self._release = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="fake-llm", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()  # hanging handlers give up
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> "FakeLLM":
        return self.start()

    def __exit__(self, *_) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        """What to give the client as its base URL (it appends /chat/completions)."""
        return f"http://127.0.0.1:{self.port}/v1"

    # scripting

    def reset(self, reply: "Script | str | Reply" = "NOT FOUND") -> None:
        with self._lock:
            self._release.set()  # hangs of the previous test end now
            self._release = threading.Event()
            self.requests.clear()
            self.errors.clear()
            self._queue.clear()
            self.reply = reply

    def queue(self, *replies: "str | Reply") -> None:
        """Replies for the next requests, in order, before `reply` is used again."""
        with self._lock:
            self._queue.extend(replies)

    def _reply_for(self, request: Request) -> tuple[Reply, threading.Event]:
        with self._lock:
            self.requests.append(request)
            chosen = self._queue.popleft() if self._queue else self.reply
            release = self._release
        if callable(chosen):
            chosen = chosen(request)
        reply = chosen if isinstance(chosen, Reply) else Reply(str(chosen))
        request.reply = reply
        return reply, release


def _text(content) -> str:
    """Message content as text: a string, or a list of {"type": "text", "text": ...} parts."""
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return content or ""


def _handler_for(server: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):  # keep test output quiet
            pass

        def do_GET(self):
            if self.path.rstrip("/") in ("/v1/models", "/models"):
                self._json(200, {"object": "list", "data": [{"id": server.model, "object": "model"}]})
            else:
                self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if self.path.split("?")[0] not in PATHS:
                server.errors.append(f"POST to {self.path}")
                self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
                return
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                server.errors.append("body is not JSON")
                self._json(400, {"error": {"message": "invalid JSON", "type": "invalid_request_error"}})
                return
            request = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            reply, release = server._reply_for(request)
            if reply.hang and reply.hang_after is None and release.wait(reply.hang):
                return  # the test is over: give up on this request
            try:
                if reply.status != 200:
                    self._json(reply.status, {"error": {"message": f"fake failure {reply.status}",
                                                        "type": "server_error", "code": reply.status}})
                elif request.stream:
                    self._stream(body, reply, release)
                else:
                    self._json(200, _completion(body, reply.text))
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout): nothing to do

        def _json(self, status: int, payload: dict) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _stream(self, body: dict, reply: Reply, release: threading.Event) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            ident, created = f"chatcmpl-{time.monotonic_ns()}", int(time.time())

            def event(delta: dict, finish: str | None = None) -> None:
                chunk = {"id": ident, "object": "chat.completion.chunk", "created": created,
                         "model": body.get("model", server.model),
                         "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
                self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode("utf-8"))
                self.wfile.flush()

            event({"role": "assistant", "content": ""})
            for i, piece in enumerate(reply.chunks()):
                if i == reply.hang_after and release.wait(reply.hang):
                    return
                if reply.pause and release.wait(reply.pause):
                    return
                event({"content": piece})
            event({}, "stop")
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

    return Handler


def _completion(body: dict, text: str) -> dict:
    prompt_chars = sum(len(_text(m.get("content"))) for m in body.get("messages", []))
    return {
        "id": f"chatcmpl-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", ""),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                     "finish_reason": "stop", "logprobs": None}],
        "usage": {"prompt_tokens": prompt_chars, "completion_tokens": len(text),
                  "total_tokens": prompt_chars + len(text)},
    }
