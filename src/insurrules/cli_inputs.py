"""Checks of the files and folders a command is given, made before any work starts.

Each check raises [`CommandInputError`][insurrules.cli_inputs.CommandInputError] with one line that
names the argument as the user typed it (``--population data/``, ``--out results/r.parquet``, ``CASE
x.json``) and the reason; the CLI prints it and exits with status 2. Reading a large file is left to
the command: a text file is checked on its first block (UTF-16, binary, not UTF-8), a Parquet file
by its footer.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "CommandInputError",
    "new_folder",
    "population_folder",
    "readable_file",
    "require_extra",
    "writable_file",
]

_SNIFF = 64 * 1024  # bytes: enough to tell text from binary, cheap on a large CSV
_PARQUET_MAGIC = b"PAR1"


class CommandInputError(Exception):
    """A command's argument cannot be used; ``lines`` say why (one line per problem)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def _fail(label: str, reason: str) -> CommandInputError:
    return CommandInputError([f"{label}: {reason}"])


def require_extra(command: str, extra: str, modules: Iterable[str]) -> None:
    """Import the optional dependencies of ``command``; name the extra to install if one lacks."""
    import importlib

    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError:
            raise CommandInputError(
                [
                    f"insurrules {command} needs the '{extra}' extra ({module} is not installed):"
                    f" pip install 'insurrules[{extra}]'"
                ]
            ) from None


def readable_file(path: str | Path, label: str, kind: str = "text") -> Path:
    """``path`` as a readable file of ``kind`` (``text``: UTF-8, ``parquet``), else one line."""
    file = Path(path)
    if not file.exists():
        raise _fail(label, "no such file")
    if file.is_dir():
        raise _fail(label, "is a folder, not a file")
    try:
        with file.open("rb") as handle:
            head = handle.read(_SNIFF)
            if kind == "parquet":
                size = handle.seek(0, os.SEEK_END)
                handle.seek(max(size - len(_PARQUET_MAGIC), 0))
                tail = handle.read()
    except OSError as exc:
        raise _fail(label, f"cannot read ({exc.strerror or exc})") from None
    if kind == "parquet":
        if not (head.startswith(_PARQUET_MAGIC) and tail == _PARQUET_MAGIC and len(head) > 8):
            raise _fail(label, "not a Parquet file")
        _parquet_footer(file, label)
        return file
    problem = text_problem(head, complete=len(head) < _SNIFF)
    if problem:
        raise _fail(label, problem)
    return file


def _parquet_footer(file: Path, label: str) -> None:
    """Read the file's Parquet footer (its schema and row groups): a damaged file fails here."""
    try:
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - the population commands require pyarrow first
        return
    try:
        pq.read_metadata(file)
    except (OSError, ValueError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _fail(label, f"a damaged Parquet file ({first_line})") from None


def text_problem(data: bytes, *, complete: bool = True) -> str | None:
    """Why ``data`` is not UTF-8 text (UTF-16, binary, other encodings), or None.

    ``complete``: ``data`` is the whole file (else its first block, which may end inside a
    character).
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_utf16(data):
        return "UTF-16 text; save it as UTF-8"
    if b"\x00" in data:
        return "a binary file, not UTF-8 text"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(data, final=complete)
    except UnicodeDecodeError as exc:
        return f"not UTF-8 text (byte {exc.start + 1} is 0x{data[exc.start]:02x}); save it as UTF-8"
    return None


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a byte-order mark: zeros in every other byte, and only there."""
    sample = data[:512]
    if len(sample) < 4:
        return False
    for zeros, other in ((sample[1::2], sample[0::2]), (sample[0::2], sample[1::2])):
        if zeros.count(0) >= len(zeros) / 2 and other.count(0) == 0:
            return True
    return False


def population_folder(path: str | Path, label: str, tables: Iterable[str]) -> Path:
    """``path`` as a readable folder with ``persons`` and valid Parquet ``tables``."""
    folder = Path(path)
    if not folder.exists():
        raise _fail(label, "no such folder")
    if not folder.is_dir():
        raise _fail(label, "not a folder (a population is a folder of Parquet tables)")
    if not os.access(folder, os.R_OK | os.X_OK):
        raise _fail(label, "cannot read the folder (permission denied)")
    for name in tables:
        single, parts = folder / f"{name}.parquet", folder / name
        files = [single] if single.exists() else sorted(parts.glob("*.parquet"))
        if not files and name == "persons":
            raise _fail(label, "no persons.parquet in the folder")
        for file in files:
            readable_file(file, f"{label} ({file.relative_to(folder)})", kind="parquet")
    return folder


def writable_file(path: str | Path, label: str) -> Path:
    """``path`` as a file that can be written: its folder exists and is writable."""
    file = Path(path)
    if file.is_dir():
        raise _fail(label, "is a folder; give a file name")
    parent = file.parent
    if not parent.is_dir():
        raise _fail(label, f"the folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK) or (file.exists() and not os.access(file, os.W_OK)):
        raise _fail(label, "cannot write there (permission denied)")
    return file


def new_folder(path: str | Path, label: str, *, replace: bool = False) -> Path:
    """``path`` as a folder to write into: new or empty (``replace``: any folder)."""
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise _fail(label, "exists and is not a folder")
    if folder.is_dir():
        if not replace and any(folder.iterdir()):
            raise _fail(label, "the folder is not empty (choose a new one, or pass --force)")
        target = folder
    else:
        target = folder.parent
        if not target.is_dir():
            raise _fail(label, f"the folder {target} does not exist")
    if not os.access(target, os.W_OK | os.X_OK):
        raise _fail(label, "cannot write there (permission denied)")
    return folder
