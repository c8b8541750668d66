"""A fake Telegram Bot API over real HTTP on 127.0.0.1, for end-to-end tests.

The bot under test is pointed at it through its two URL settings, exactly as it would be at
api.telegram.org: `<api_url><token>/<method>` for calls and `<file_url><token>/<path>` for
downloads. Tests inject updates (served by a long-polling getUpdates), register files to
download, and read back every call the bot made to see what the user saw.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote

TOKEN = "123456:TEST-token_for-the-fake-api"
BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Reportbot",
    "username": "reportbot_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass(frozen=True)
class Call:
    """One request the bot made: method, form fields (as sent) and uploaded files' bytes."""

    method: str
    params: dict[str, str]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)

    @property
    def chat_id(self) -> int | None:
        """Return the chat the call was addressed to, if any."""
        return int(self.params["chat_id"]) if "chat_id" in self.params else None

    @property
    def text(self) -> str:
        """Return the text or caption the call sent."""
        return self.params.get("text") or self.params.get("caption") or ""

    def json(self, name: str) -> Any:
        """Return a JSON-encoded field (reply_markup, commands) decoded."""
        return json.loads(self.params[name])


class FakeBotApi:
    """A Bot API server in a background thread; use as a context manager."""

    def __init__(self) -> None:
        self.token = TOKEN
        self.calls: list[Call] = []
        self._updates: list[dict[str, Any]] = []
        self._files: dict[str, tuple[str, bytes]] = {}
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._changed = threading.Condition()
        self._closed = False
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def api_url(self) -> str:
        """Return the value for REPORTBOT_BOT_API_URL (the token is appended to it)."""
        return f"http://127.0.0.1:{self._server.server_port}/bot"

    @property
    def file_url(self) -> str:
        """Return the value for REPORTBOT_BOT_FILE_URL (the token is appended to it)."""
        return f"http://127.0.0.1:{self._server.server_port}/file/bot"

    def __enter__(self) -> FakeBotApi:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def add_update(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates, numbering it as Telegram would."""
        with self._changed:
            self._updates.append({**update, "update_id": next(self._update_ids)})
            self._changed.notify_all()

    def add_file(self, file_id: str, content: bytes, file_path: str) -> None:
        """Make a file downloadable: getFile(file_id) answers file_path, served at the file URL."""
        self._files[file_id] = (file_path, content)

    def calls_to(self, method: str) -> list[Call]:
        """Return the calls the bot made to one method, in order."""
        with self._changed:
            return [c for c in self.calls if c.method == method]

    def texts(self, chat_id: int | None = None) -> list[str]:
        """Return what the user read, in order: sent and edited texts and captions."""
        shown = ("sendMessage", "editMessageText", "sendPhoto", "sendDocument")
        with self._changed:
            calls = [c for c in self.calls if c.method in shown]
        return [c.text for c in calls if chat_id is None or c.chat_id == chat_id]

    def wait_for(self, condition: Callable[[], bool], timeout: float = 30.0) -> None:
        """Block until condition() holds after some call, or fail after timeout seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not condition():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(c.method, c.text[:80]) for c in self.calls if c.method != "getUpdates"]
                    raise AssertionError(f"timed out waiting; the bot called: {seen}")
                self._changed.wait(remaining)

    async def wait_for_async(self, condition: Callable[[], bool], timeout: float = 30.0) -> None:
        """Like wait_for, for tests running on an event loop the bot also uses."""
        await asyncio.to_thread(self.wait_for, condition, timeout)

    # The server side: called from the HTTP handler threads.

    def _record(self, call: Call) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def _get_updates(self, params: dict[str, str]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0))
        timeout = float(params.get("timeout", 0))
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                pending = [u for u in self._updates if u["update_id"] >= offset]
                remaining = deadline - time.monotonic()
                if pending or remaining <= 0 or self._closed:
                    return pending[: int(params.get("limit", 100))]
                self._changed.wait(remaining)

    def _message(self, params: dict[str, str], **content: Any) -> dict[str, Any]:
        return {
            "message_id": int(params.get("message_id") or next(self._message_ids)),
            "date": int(time.time()),
            "chat": {"id": int(params["chat_id"]), "type": "private"},
            "from": BOT_USER,
            **content,
        }

    def _answer(self, call: Call) -> Any:
        """Return the result of a Bot API method, or raise KeyError for an unknown one."""
        p = call.params
        simple = {
            "answerCallbackQuery",
            "setMyCommands",
            "setWebhook",
            "deleteWebhook",
            "sendChatAction",
        }
        if call.method in simple:
            return True
        if call.method == "getMe":
            return BOT_USER
        if call.method == "getUpdates":
            return self._get_updates(p)
        if call.method in ("sendMessage", "editMessageText"):
            return self._message(p, text=p["text"])
        if call.method == "editMessageReplyMarkup":
            return self._message(p, text="")
        if call.method == "sendPhoto":
            size = {"file_id": "photo", "file_unique_id": "photo", "width": 1, "height": 1}
            return self._message(p, photo=[size], caption=p.get("caption", ""))
        if call.method == "sendDocument":
            name = call.files["document"][0] if "document" in call.files else "file"
            document = {"file_id": "doc", "file_unique_id": "doc", "file_name": name}
            return self._message(p, document=document, caption=p.get("caption", ""))
        if call.method == "getFile":
            path, content = self._files[p["file_id"]]
            return {
                "file_id": p["file_id"],
                "file_unique_id": p["file_id"],
                "file_size": len(content),
                "file_path": path,
            }
        raise KeyError(call.method)

    def _download(self, path: str) -> bytes | None:
        return next((content for p, content in self._files.values() if p == path), None)


class _Server(ThreadingHTTPServer):
    """Serve each request in a thread that never delays shutdown (long polls may be waiting)."""

    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: object, client_address: object) -> None:
        """Ignore clients that hang up (a bot process stopped mid long-poll); report the rest."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_for(api: FakeBotApi) -> type[BaseHTTPRequestHandler]:
    """Return a request handler class bound to one FakeBotApi."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            prefix = f"/file/bot{api.token}/"
            url_path = unquote(self.path)  # PTB percent-encodes the path, ":" of the token too
            path = url_path[len(prefix) :] if url_path.startswith(prefix) else ""
            content = api._download(path)
            if content is None:
                self._send(404, b"not found", "text/plain")
            else:
                self._send(200, content, "application/octet-stream")

        def do_POST(self) -> None:  # noqa: N802
            prefix = f"/bot{api.token}/"
            if not self.path.startswith(prefix):
                self._reply({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
                return
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            params, files = _parse_form(self.headers.get("Content-Type", ""), body)
            call = Call(self.path[len(prefix) :], params, files)
            api._record(call)
            try:
                result = api._answer(call)
            except KeyError as missing:
                description = f"Bad Request: fake API has no {missing}"
                self._reply({"ok": False, "error_code": 400, "description": description}, 400)
                return
            self._reply({"ok": True, "result": result}, 200)

        def _reply(self, payload: dict[str, Any], status: int) -> None:
            self._send(status, json.dumps(payload).encode(), "application/json")

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Keep test output quiet."""

    return Handler


def _parse_form(
    content_type: str, body: bytes
) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    """Split a urlencoded or multipart request body into fields and files (name, bytes)."""
    if content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        params: dict[str, str] = {}
        files: dict[str, tuple[str, bytes]] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            filename = part.get_filename()
            if filename is not None:
                files[name] = (filename, payload)
            else:
                params[name] = payload.decode()
        return params, files
    return dict(parse_qsl(body.decode(), keep_blank_values=True)), {}
