"""Unpack a .zip of reports safely: files only, flat names, bounded count and total size.

The sizes a zip declares are checked before anything is unpacked, and what is really inflated
is counted as it streams to disk, so a zip whose headers lie still stops at the limit.
"""
from __future__ import annotations

import os
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from index.errors import UnreadableFileError

MAX_MEMBERS = 50
MAX_NAME_BYTES = 255  # a file name longer than this fits no common file system
UTF8_NAMES = 0x800  # zip flag bit 11: names are UTF-8; otherwise Chinese Windows wrote GBK
_CHUNK = 1024 * 1024


def unpack_reports(archive: Path, into: Path, *, max_total_bytes: int) -> list[tuple[str, Path]]:
    """Extract every file of the archive into its own folder; return (name, path) pairs.

    Raises UnreadableFileError for a damaged archive, one with too many or too large files
    (declared or really inflated), or a member whose name is too long or holds a line break.
    """
    try:
        with zipfile.ZipFile(archive) as zipped:
            members = [m for m in zipped.infolist() if _is_report(m)]
            if not members:
                raise UnreadableFileError("压缩包里没有文件：请把报告文件直接打包成 zip 再发送。")
            if len(members) > MAX_MEMBERS:
                raise UnreadableFileError(
                    f"压缩包里有 {len(members)} 个文件，一次最多 {MAX_MEMBERS} 个：请分几次发送。"
                )
            limit_mb = max_total_bytes // (1024 * 1024)
            too_big = f"压缩包解压后超过 {limit_mb} MB：请分几次发送。"
            if sum(m.file_size for m in members) > max_total_bytes:
                raise UnreadableFileError(too_big)
            names = [_name(member) for member in members]
            for number, name in enumerate(names, start=1):
                _check_name(name, number)
            unpacked = []
            budget = max_total_bytes
            for number, (member, name) in enumerate(zip(members, names)):
                # Each file in its own folder under its bare name: no "../", no collisions.
                path = into / str(number) / name
                path.parent.mkdir(parents=True)
                budget = _copy(zipped, member, name, path, budget, too_big)
                unpacked.append((name, path))
            return unpacked
    # RuntimeError: an encrypted member; NotImplementedError: an unknown compression method.
    except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, EOFError) as error:
        raise UnreadableFileError(f"无法解开这个压缩包（{error}）：请重新打包成 zip 再发送。") from error


def _copy(zipped: zipfile.ZipFile, member: zipfile.ZipInfo, name: str, path: Path, budget: int, too_big: str) -> int:
    """Stream one member to disk, counting inflated bytes against the budget; return what is left."""
    try:
        with zipped.open(member) as source, open(path, "wb") as target:
            while chunk := source.read(_CHUNK):
                budget -= len(chunk)
                if budget < 0:
                    raise UnreadableFileError(too_big)
                target.write(chunk)
    except zipfile.BadZipFile as error:
        raise UnreadableFileError(
            f"压缩包里的“{name}”与压缩包记录的大小或校验值不符（文件损坏或被改动过）：请重新打包成 zip 再发送。"
        ) from error
    return budget


def _check_name(name: str, number: int) -> None:
    """Refuse a member name that would break a message or a file system."""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise UnreadableFileError(f"压缩包里第 {number} 个文件的名字含有换行或其他控制字符：请改名后重新打包。")
    if len(os.fsencode(name)) > MAX_NAME_BYTES:
        raise UnreadableFileError(
            f"压缩包里第 {number} 个文件的名字太长（超过 {MAX_NAME_BYTES} 字节）：请改短后重新打包。"
        )


def _name(member: zipfile.ZipInfo) -> str:
    """Return the member's bare file name, decoding GBK names zipfile read as cp437."""
    name = member.filename
    if not member.flag_bits & UTF8_NAMES:
        try:
            name = name.encode("cp437").decode("gbk")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return PurePosixPath(name.replace("\\", "/")).name


def _is_report(member: zipfile.ZipInfo) -> bool:
    """Skip folders, macOS metadata, hidden files and nested archives."""
    name = member.filename.replace("\\", "/")
    bare = PurePosixPath(name).name
    return not (
        member.is_dir()
        or name.startswith("__MACOSX/")
        or bare.startswith(".")
        or bare.lower().endswith(".zip")
        or not bare
    )
