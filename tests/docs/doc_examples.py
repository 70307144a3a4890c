"""Sybil configuration that runs every example of the docs site and of the docstrings.

Collected by the root ``conftest.py``; ``tests/docs/test_docs_examples.py`` proves that a wrong
example fails. What runs (``docs/reference/examples.md`` documents it for writers):

* ```` ```python ```` fences, with or without attributes after the language (``title="…"``,
  ``hl_lines=…``), at any indentation (admonitions, content tabs, lists):
  - a block starting with ``>>>`` is a doctest: every expected output is checked;
  - any other block is executed; when the next fence is ```` ```text title="Output" ````, the
    block's printed output must equal that block (``...`` matches anything);
* ```` ```json title="NAME.json" ```` (or ``toml``) writes the file into the page's working
  directory (a temporary directory, the current directory of every example of the page); every
  ``json`` and ``toml`` fence must parse;
* ```` ```console ```` fences: each ``$ insurrules …`` line runs the CLI in the page's working
  directory and the lines after it are its expected output (stdout and stderr, or stdout only
  when the command ends with ``2>/dev/null``); ``$ echo $?`` prints the previous exit status.
  Any other command is an error: use ``bash`` for commands the tests cannot run (installing,
  serving);
* docstrings of ``src/insurrules/**/*.py``: doctests;
* ``README.md`` at the repository's root: the same fences, plus ```` ```sh ```` blocks, where
  every ``insurrules …`` or ``python -m insurrules …`` command (a ``\\`` continues a line, ``#``
  starts a comment) runs through ``main(argv)`` and must exit 0; ``make …`` lines are what
  ``make test`` itself runs and are not repeated. The README's working directory sees the
  repository's ``examples/`` folder.

All examples of one page share a namespace and run in page order.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import json
import os
import re
import shlex
import shutil
import tempfile
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sybil import Document, Example, Region, Sybil
from sybil.evaluators.doctest import DocTestEvaluator
from sybil.evaluators.python import PythonEvaluator
from sybil.parsers.abstract import DocTestStringParser
from sybil.parsers.markdown.lexers import RawFencedCodeBlockLexer
from sybil.parsers.rest import DocTestParser
from sybil.sybil import SybilCollection

ROOT = Path(__file__).resolve().parents[2]
OPTIONFLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
WORKDIR = "__docs_workdir__"

#: The info string of a fence: a language, then anything (mkdocs-material attributes).
INFO = re.compile(r"[ \t]*(?P<language>[\w+-]*)(?P<attributes>[^\n]*)$\n", re.MULTILINE)
TITLE = re.compile(r"""title=["']([^"']*)["']""")
PROMPT = "$ "


def _title(region: Region) -> str:
    found = TITLE.search(region.lexemes["attributes"])
    return found.group(1) if found else ""


def _is_output(region: Region) -> bool:
    return region.lexemes["language"] == "text" and _title(region).lower() == "output"


def _check_output(expected: str, actual: str) -> str | None:
    checker = doctest.OutputChecker()
    want = expected.strip() + "\n"
    got = actual.strip() + "\n"
    if checker.check_output(want, got, OPTIONFLAGS):
        return None
    return f"printed output differs.\nExpected:\n{want}Got:\n{got}"


def _workdir(namespace: dict[str, Any]) -> Path:
    if WORKDIR not in namespace:
        namespace[WORKDIR] = tempfile.mkdtemp(prefix="insurrules-docs-")
    return Path(namespace[WORKDIR])


class _InWorkdir:
    """Run an evaluator inside the page's working directory, where its json files are."""

    def __init__(self, evaluator: Any) -> None:
        self.evaluator = evaluator

    def __call__(self, example: Example) -> str | None:
        with contextlib.chdir(_workdir(example.namespace)):
            result: str | None = self.evaluator(example)
        return result


class _DocTestInWorkdir(DocTestEvaluator):
    def __call__(self, sybil_example: Example) -> str:
        with contextlib.chdir(_workdir(sybil_example.namespace)):
            return super().__call__(sybil_example)


class _PythonWithOutput:
    """Run a block and compare what it prints with the ``Output`` block that follows it."""

    def __init__(self, expected: str) -> None:
        self.expected = expected
        self.run = PythonEvaluator()

    def __call__(self, example: Example) -> str | None:
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            self.run(example)
        return _check_output(self.expected, buffer.getvalue())


def _orphan_output(example: Example) -> str:
    return "an Output block must directly follow the python block whose output it shows"


def _write_file(example: Example) -> None:
    language, name, text = example.parsed
    # a typo in a documented file fails the page
    if language == "json":
        json.loads(text)
    else:
        tomllib.loads(text)
    if name:
        (_workdir(example.namespace) / name).write_text(text, encoding="utf-8")


def _console_steps(source: str) -> Iterator[tuple[str, str]]:
    command: str | None = None
    output: list[str] = []
    for line in source.splitlines():
        if line.startswith(PROMPT):
            if command is not None:
                yield command, "\n".join(output)
            command, output = line[len(PROMPT) :].strip(), []
        elif command is None:
            if line.strip():
                raise ValueError(f"console block: output before any '$ ' command: {line!r}")
        else:
            output.append(line)
    if command is not None:
        yield command, "\n".join(output)


@contextlib.contextmanager
def _help_width(columns: str = "100") -> Iterator[None]:
    """argparse wraps help text to the terminal width: fix it so the output is reproducible."""
    before = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = columns
    try:
        yield
    finally:
        if before is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = before


def _shell_commands(source: str) -> Iterator[list[str]]:
    """The commands of a ``sh`` block: continuations joined, comments dropped."""
    logical = ""
    for line in source.splitlines():
        if line.rstrip().endswith("\\"):
            logical += line.rstrip()[:-1] + " "
            continue
        logical += line
        argv = shlex.split(logical, comments=True)
        logical = ""
        if argv:
            yield argv


def _cli_args(argv: list[str]) -> list[str] | None:
    """The arguments of an ``insurrules`` command line, or None for another program."""
    if argv[:1] == ["insurrules"]:
        return argv[1:]
    if argv[:3] == ["python", "-m", "insurrules"]:
        return argv[3:]
    return None


def _run_shell(example: Example) -> str | None:
    from insurrules.cli import main

    workdir = _workdir(example.namespace)
    for argv in _shell_commands(example.parsed):
        if argv[:1] == ["make"]:
            continue  # the Makefile's targets: make test is what runs this very check
        args = _cli_args(argv)
        if args is None:
            return f"sh block runs only insurrules and make commands, got {shlex.join(argv)!r}"
        buffer = io.StringIO()
        with (
            contextlib.chdir(workdir),
            contextlib.redirect_stdout(buffer),
            contextlib.redirect_stderr(buffer),
        ):
            status = main(args, out=buffer)
        if status != 0:
            return f"$ {shlex.join(argv)}\nexit status {status}:\n{buffer.getvalue()}"
        if not buffer.getvalue().strip():
            return f"$ {shlex.join(argv)}\nprinted nothing"
    return None


def _run_console(example: Example) -> str | None:
    from insurrules.cli import main

    workdir = _workdir(example.namespace)
    status = 0
    for command, expected in _console_steps(example.parsed):
        argv = shlex.split(command)
        quiet = argv[-1:] == ["2>/dev/null"]  # progress on stderr is not part of the answer
        if quiet:
            argv = argv[:-1]
        if argv == ["echo", "$?"]:
            actual = str(status)
        elif (args := _cli_args(argv)) is not None:
            buffer = io.StringIO()
            with (
                _help_width(),
                contextlib.chdir(workdir),
                contextlib.redirect_stdout(buffer),
                contextlib.redirect_stderr(io.StringIO() if quiet else buffer),
            ):
                try:
                    status = main(args, out=buffer)
                except SystemExit as exc:  # argparse's --help exits
                    status = exc.code if isinstance(exc.code, int) else 1
            actual = buffer.getvalue()
        else:
            return f"console block runs only insurrules commands and 'echo $?', got {command!r}"
        problem = _check_output(expected, actual)
        if problem:
            return f"$ {command}\n{problem}"
    return None


class DocsParser:
    """Every fence of a markdown page that can be checked, in page order."""

    def __init__(self, shell: bool = False) -> None:
        self.shell = shell
        self.lexer = RawFencedCodeBlockLexer(info_pattern=INFO)
        self.doctests = DocTestStringParser(_DocTestInWorkdir(OPTIONFLAGS))
        self.python = _InWorkdir(PythonEvaluator())

    def __call__(self, document: Document) -> Iterable[Region]:
        fences = sorted(self.lexer(document), key=lambda r: r.start)
        outputs_used: set[int] = set()
        for i, region in enumerate(fences):
            language = region.lexemes["language"]
            source = region.lexemes["source"]
            if language in ("python", "py"):
                if source.lstrip().startswith(">>>"):
                    for doctest_region in self.doctests(source, document.path):
                        doctest_region.adjust(region, source)
                        yield doctest_region
                    continue
                region.parsed = source
                nxt = fences[i + 1] if i + 1 < len(fences) else None
                between = document.text[region.end : nxt.start] if nxt else ""
                if nxt is not None and _is_output(nxt) and not between.strip():
                    region.evaluator = _InWorkdir(_PythonWithOutput(nxt.lexemes["source"]))
                    outputs_used.add(i + 1)
                else:
                    region.evaluator = self.python
                yield region
            elif _is_output(region) and i not in outputs_used:
                region.evaluator = _orphan_output
                yield region
            elif language in ("json", "toml"):
                region.parsed = (language, _title(region), str(source))
                region.evaluator = _write_file
                yield region
            elif language == "console":
                region.parsed = str(source)
                region.evaluator = _run_console
                yield region
            elif language == "sh" and self.shell:
                region.parsed = str(source)
                region.evaluator = _run_shell
                yield region


def teardown_page(namespace: dict[str, Any]) -> None:
    workdir = namespace.pop(WORKDIR, None)
    if workdir:
        shutil.rmtree(workdir, ignore_errors=True)


def docs_sybil(path: Path = ROOT / "docs") -> Sybil:
    """Sybil over the markdown pages under ``path``."""
    return Sybil(
        parsers=[DocsParser()],
        patterns=["*.md"],
        path=str(path),
        teardown=teardown_page,
        name="docs",
    )


def _readme_setup(namespace: dict[str, Any]) -> None:
    """The README's commands name ``examples/...`` as a user in a fresh clone would."""
    (_workdir(namespace) / "examples").symlink_to(ROOT / "examples", target_is_directory=True)


def readme_sybil(path: Path = ROOT) -> Sybil:
    """Sybil over ``README.md`` at ``path`` (not the READMEs of sub-folders)."""
    return Sybil(
        parsers=[DocsParser(shell=True)],
        patterns=["README.md"],
        excludes=["*/*"],
        path=str(path),
        setup=_readme_setup,
        teardown=teardown_page,
        name="readme",
    )


def source_sybil(path: Path = ROOT / "src" / "insurrules") -> Sybil:
    """Sybil over the docstrings of the package's modules."""
    return Sybil(
        parsers=[DocTestParser(optionflags=OPTIONFLAGS)],
        patterns=["*.py"],
        path=str(path),
        name="docstrings",
    )


def all_examples() -> SybilCollection:
    return SybilCollection((docs_sybil(), source_sybil(), readme_sybil()))
