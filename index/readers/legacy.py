"""Convert old binary Office files (.doc, .wps, .et, RTF) to .docx through LibreOffice."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from index.errors import UnreadableFileError

CONVERT_TIMEOUT_SECONDS = 120
_LEGACY_SUFFIXES = {".doc", ".dot", ".wps", ".wpt", ".et"}
_NO_OFFICE = (
    "这是旧版 Word/WPS 文件（.doc/.wps），本机无法读取：请在 Word 或 WPS 中另存为 .docx 或导出为 PDF 后再发送。"
)
_FAILED = "旧版 Word/WPS 文件转换失败（文件可能已损坏或加密）：请另存为 .docx 或导出为 PDF 后再发送。"
_TIMEOUT = "旧版 Word/WPS 文件转换超时：请另存为 .docx 或导出为 PDF 后再发送。"


def convert_to_docx(data: bytes, name: str) -> bytes:
    """Return the .docx bytes LibreOffice makes of a legacy file; raise UnreadableFileError if it cannot.

    The suffix tells LibreOffice which filter to try first; an upload named ".docx" that is
    really an old .doc gets ".doc".
    """
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise UnreadableFileError(_NO_OFFICE)
    with tempfile.TemporaryDirectory(prefix="reportbot-convert-") as tmp:
        source = Path(tmp) / f"report{_suffix(data, name)}"
        source.write_bytes(data)
        command = [
            office,
            "--headless",
            "--norestore",
            # A private profile: a second conversion must not wait for another one's lock.
            f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}",
            "--convert-to",
            "docx",
            "--outdir",
            tmp,
            str(source),
        ]
        _run(command)
        converted = source.with_suffix(".docx")
        if not converted.is_file():
            raise UnreadableFileError(_FAILED)
        return converted.read_bytes()


def _run(command: list[str]) -> None:
    """Run LibreOffice in its own process group, so a timeout ends its helper processes too."""
    try:
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
    except OSError as exc:  # found on PATH but cannot be started
        raise UnreadableFileError(_NO_OFFICE) from exc
    try:
        process.wait(timeout=CONVERT_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired as exc:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise UnreadableFileError(_TIMEOUT) from exc
    if process.returncode != 0:
        raise UnreadableFileError(_FAILED)


def _suffix(data: bytes, name: str) -> str:
    if data.startswith(b"{\\rtf"):
        return ".rtf"
    suffix = Path(name).suffix.lower()
    return suffix if suffix in _LEGACY_SUFFIXES else ".doc"
