"""`reportbot serve` as a real process, talking to a fake Bot API on 127.0.0.1 as to Telegram."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from tests.auxil.fake_bot_api import TOKEN, FakeBotApi
from tests.auxil.reports import QINGSHAN
from tests.auxil.updates import ADMIN_ID, JOURNALIST_ID, document_message, text_message

START_TIMEOUT_S = 60  # imports, opening the store and warming jieba
REPLY_TIMEOUT_S = 30
STOP_TIMEOUT_S = 15


def test_serve_answers_and_loads_an_upload(
    bot_api: FakeBotApi, db_path: Path, tmp_path: Path
) -> None:
    with _serving(bot_api, db_path, tmp_path) as process:
        # post_init has run (engine open, commands registered) before polling starts.
        bot_api.wait_for(lambda: bool(bot_api.calls_to("setMyCommands")), START_TIMEOUT_S)

        bot_api.add_update(text_message("伊春市2023年行政处罚决定有多少件？"))
        bot_api.wait_for(lambda: _shown(bot_api, JOURNALIST_ID, "88300"), REPLY_TIMEOUT_S)

        content = QINGSHAN.encode("utf-8")
        bot_api.add_file("doc-1", content, "documents/file_1.txt")
        bot_api.add_update(document_message("doc-1", "青山市年报.txt", len(content)))
        bot_api.wait_for(lambda: _shown(bot_api, ADMIN_ID, "已载入"), REPLY_TIMEOUT_S)
        assert bot_api.calls_to("getFile")

        bot_api.add_update(text_message("青山市2023年行政处罚决定有多少件？"))
        answered = "青山市2023年行政处罚"
        bot_api.wait_for(lambda: _shown(bot_api, JOURNALIST_ID, answered), REPLY_TIMEOUT_S)

        process.terminate()  # SIGTERM, as systemd or docker stop sends
        assert process.wait(STOP_TIMEOUT_S) == 0
    log = (tmp_path / "serve.log").read_text(errors="replace")
    assert "Traceback" not in log


def test_serve_by_webhook(bot_api: FakeBotApi, db_path: Path, tmp_path: Path) -> None:
    """With REPORTBOT_WEBHOOK_URL, Telegram posts updates; only it knows the secret token."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram-hook"
    webhook = {"REPORTBOT_WEBHOOK_URL": url, "REPORTBOT_WEBHOOK_PORT": str(port)}
    with _serving(bot_api, db_path, tmp_path, **webhook) as process:
        bot_api.wait_for(lambda: bool(bot_api.calls_to("setWebhook")), START_TIMEOUT_S)
        (registered,) = bot_api.calls_to("setWebhook")
        assert registered.params["url"] == url
        update = json.dumps(text_message("伊春市2023年行政处罚决定有多少件？")).encode()
        assert _post(url, update, secret="forged") == 403
        assert _post(url, update, secret=registered.params["secret_token"]) == 200
        bot_api.wait_for(lambda: _shown(bot_api, JOURNALIST_ID, "88300"), REPLY_TIMEOUT_S)
        assert bot_api.calls_to("getUpdates") == []
        process.terminate()
        assert process.wait(STOP_TIMEOUT_S) == 0


def test_serve_without_token_says_what_to_set(tmp_path: Path) -> None:
    done = subprocess.run(
        [_reportbot(), "--db", str(tmp_path / "r.db"), "serve"],
        cwd=tmp_path,
        env=_environment_without_settings(),
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT_S,
    )
    assert done.returncode != 0
    assert "TELEGRAM_BOT_TOKEN" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


@contextmanager
def _serving(
    bot_api: FakeBotApi, db_path: Path, tmp_path: Path, **env: str
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `reportbot --db DB serve` against the fake API, logging to serve.log; always stop it."""
    settings = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "REPORTBOT_ADMINS": str(ADMIN_ID),
        "REPORTBOT_BOT_API_URL": bot_api.api_url,
        "REPORTBOT_BOT_FILE_URL": bot_api.file_url,
        **env,
    }
    with (tmp_path / "serve.log").open("wb") as log:
        process = subprocess.Popen(
            [_reportbot(), "--db", str(db_path), "serve"],
            cwd=tmp_path,  # no stray .env
            env=_environment_without_settings() | settings,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _reportbot() -> str:
    """Return the installed console script, as an operator would run it."""
    executable = shutil.which("reportbot", path=str(Path(sys.executable).parent))
    assert executable, "the reportbot console script is not installed in this environment"
    return executable


def _environment_without_settings() -> dict[str, str]:
    """Return this environment minus any bot settings the developer has set."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("REPORTBOT_", "TELEGRAM_"))}


def _free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _post(url: str, body: bytes, *, secret: str) -> int:
    """POST an update as Telegram does, once the bot listens; return the HTTP status."""
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret}
    request = urllib.request.Request(url, data=body, headers=headers)
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            with urllib.request.urlopen(request, timeout=REPLY_TIMEOUT_S) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except urllib.error.URLError:  # not listening yet: PTB registers the webhook first
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _shown(bot_api: FakeBotApi, chat_id: int, words: str) -> bool:
    return any(words in text for text in bot_api.texts(chat_id))
