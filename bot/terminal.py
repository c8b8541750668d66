"""Manners of a command-line tool: one line per file whatever its name, line editing and
history in the chat, and a quiet end when the reader of a pipe goes away (`… | head`)."""
from __future__ import annotations

import os
import sys
import unicodedata
from pathlib import Path
from types import TracebackType
from typing import TextIO

HISTORY_ENV = "REPORTBOT_HISTORY"
HISTORY_NAME = ".reportbot_history"
HISTORY_LENGTH = 1000
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def one_line(text: str) -> str:
    """Text that stays on one line of output: line breaks and control characters escaped.

    A file named "a\\nb.txt" prints as a\\nb.txt, so "one line per file" holds for any name.
    """
    if text.isprintable():
        return text
    return "".join(
        _ESCAPES.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") and ch != " " else ch
        for ch in text)


def quiet_broken_pipe() -> int:
    """End quietly after the reader of standard output left (`reportbot sql … | head`).

    As the Python documentation recommends (signal module, "Note on SIGPIPE"): point standard
    output at devnull, so the flush at exit raises nothing, and exit with 1.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (tests): nothing left to flush
        pass
    return 1


def history_path(db_path: Path) -> Path:
    """$REPORTBOT_HISTORY, else ~/.reportbot_history, else beside the database (no usable home)."""
    if os.environ.get(HISTORY_ENV):
        return Path(os.environ[HISTORY_ENV])
    home = Path.home()
    if home.is_dir() and os.access(home, os.W_OK):
        return home / HISTORY_NAME
    return Path(db_path).with_name(Path(db_path).name + ".history")


class ChatInput:
    """Lines typed in the chat: with readline's editing and history at a terminal, plain otherwise.

    At a terminal (and where Python has readline: not on Windows), arrows edit the line and
    recall earlier questions, also from earlier sessions; the history is saved on exit. Piped
    input is read line by line, with no prompt.
    """

    def __init__(self, stdin: TextIO, out: TextIO, *, history: Path | None) -> None:
        self.stdin, self.out, self.history = stdin, out, history
        self._readline = None

    def __enter__(self) -> "ChatInput":
        if self.interactive:
            try:
                import readline
            except ImportError:  # no readline here: input() still works, without history
                return self
            self._readline = readline
            readline.set_history_length(HISTORY_LENGTH)
            if self.history is not None and self.history.is_file():
                try:
                    readline.read_history_file(self.history)
                except OSError:
                    pass
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._readline is not None and self.history is not None:
            try:
                self.history.parent.mkdir(parents=True, exist_ok=True)
                self._readline.write_history_file(self.history)
            except OSError:  # a history that cannot be saved is no reason to fail
                pass

    @property
    def interactive(self) -> bool:
        """Typing at a terminal: input() with a prompt (and readline's editing)."""
        return self.stdin is sys.stdin and self.stdin.isatty() and self.out is sys.stdout

    def read(self, prompt: str = "> ") -> str | None:
        """The next line without its newline, or None at the end of input (Ctrl+D)."""
        if self.interactive:
            try:
                return input(prompt)
            except EOFError:
                self.out.write("\n")
                return None
        line = self.stdin.readline()
        return line.rstrip("\r\n") if line else None
