"""Unpack a .zip of reports safely: files only, flat names, bounded count and total size."""
from __future__ import annotations

import zipfile
import zlib
from pathlib import Path, PurePosixPath

from index.errors import UnreadableFileError

MAX_MEMBERS = 50
UTF8_NAMES = 0x800  # zip flag bit 11: names are UTF-8; otherwise Chinese Windows wrote GBK


def unpack_reports(archive: Path, into: Path, *, max_total_bytes: int) -> list[tuple[str, Path]]:
    """Extract every file of the archive into its own folder; return (name, path) pairs.

    Raises UnreadableFileError for a damaged archive, or one with too many or too large files.
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
            if sum(m.file_size for m in members) > max_total_bytes:
                limit_mb = max_total_bytes // (1024 * 1024)
                raise UnreadableFileError(f"压缩包解压后超过 {limit_mb} MB：请分几次发送。")
            unpacked = []
            for number, member in enumerate(members):
                name = _name(member)
                # Each file in its own folder under its bare name: no "../", no collisions.
                path = into / str(number) / name
                path.parent.mkdir(parents=True)
                path.write_bytes(zipped.read(member))
                unpacked.append((name, path))
            return unpacked
    # RuntimeError: an encrypted member; NotImplementedError: an unknown compression method.
    except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError) as error:
        raise UnreadableFileError(f"无法解开这个压缩包（{error}）：请重新打包成 zip 再发送。") from error


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
