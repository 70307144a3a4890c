"""The docs example collector fails on wrong examples, and passes on right ones.

Each kind of executed example (doctest, printed output, console, json) is run through the same
Sybil configuration the suite uses (``doc_examples.docs_sybil``) on a temporary page; one test
also runs pytest on such a page to prove the collection itself reports the failure.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sybil import Document
from sybil.example import SybilFailure
from sybil.parsers.markdown.lexers import RawFencedCodeBlockLexer

from tests.docs.doc_examples import INFO, ROOT, docs_sybil, source_sybil, teardown_page

FENCE = "```"


def _page(tmp_path: Path, body: str, name: str = "page.md") -> Document:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body).replace("~~~", FENCE), encoding="utf-8")
    document: Document = docs_sybil(tmp_path).parse(path)
    return document


def _run(document: Document) -> None:
    namespace = document.namespace
    try:
        for example in document:
            example.evaluate()
    finally:
        teardown_page(namespace)


def _count(document: Document) -> int:
    return sum(1 for _ in document)


RIGHT = """
    # A page

    !!! example "inside an admonition"
        ~~~python title="doctest.py"
        >>> from insurrules.kz import contribution
        >>> contribution("self", "2026-03")
        Decimal('4250.00')

        ~~~

    === "In a tab"

        ~~~python hl_lines="2"
        total = 2 + 2
        print("total", total)
        ~~~

        ~~~text title="Output"
        total 4
        ~~~

    ~~~json title="case.json"
    {"scheme": "kz-osms", "as_of": "2020-04-15",
     "person": {"id": "870412445016", "birth_date": "1987-04-12", "sex": "female"}}
    ~~~

    ~~~console
    $ insurrules check case.json --json
    {
      "scheme": "kz-osms",
      "as_of": "2020-04-15",
      "status": "insured",
      "basis": "transition",
    ...
    $ echo $?
    0
    ~~~
"""


def test_right_examples_pass_in_admonitions_tabs_and_titled_fences(tmp_path: Path) -> None:
    document = _page(tmp_path, RIGHT)
    assert _count(document) == 5  # two doctest lines, code+output, json, console
    _run(document)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            """
            ~~~python title="wrong.py"
            >>> 2 + 2
            5

            ~~~
            """,
            "Expected:\n    5\nGot:\n    4",
            id="doctest-output",
        ),
        pytest.param(
            """
            !!! note
                ~~~python
                print("covered")
                ~~~

                ~~~text title="Output"
                not covered
                ~~~
            """,
            "printed output differs",
            id="printed-output",
        ),
        pytest.param(
            """
            ~~~console
            $ insurrules --version
            insurrules 99.0
            ~~~
            """,
            "insurrules 99.0",
            id="console-output",
        ),
        pytest.param(
            """
            ~~~console
            $ insurrules check missing.json
            missing.json: no such file
            $ echo $?
            0
            ~~~
            """,
            "Got:\n2",
            id="exit-status",
        ),
        pytest.param(
            """
            ~~~console
            $ rm -rf /
            ~~~
            """,
            "runs only insurrules commands",
            id="foreign-command",
        ),
        pytest.param(
            """
            ~~~text title="Output"
            claims to be output of nothing
            ~~~
            """,
            "must directly follow the python block",
            id="orphan-output",
        ),
    ],
)
def test_wrong_example_fails(tmp_path: Path, body: str, message: str) -> None:
    document = _page(tmp_path, body)
    with pytest.raises(SybilFailure) as failure:
        _run(document)
    assert message in str(failure.value)


def test_console_can_hide_stderr_and_read_files_the_page_wrote(tmp_path: Path) -> None:
    body = """
        ~~~toml title="reform.toml"
        title = "t"
        scheme = "kz-osms"
        [changes]
        "kz.grace.months" = 4
        ~~~

        ~~~python
        >>> import insurrules
        >>> insurrules.Reform.from_file("reform.toml").changes
        {'kz.grace.months': 4}

        ~~~

        ~~~console
        $ insurrules check missing.json 2>/dev/null
        $ echo $?
        2
        ~~~
    """
    _run(_page(tmp_path, body))
    shown = _page(tmp_path, body.replace("missing.json 2>/dev/null", "missing.json"))
    with pytest.raises(SybilFailure, match="no such file"):
        _run(shown)


def test_example_that_raises_fails(tmp_path: Path) -> None:
    document = _page(
        tmp_path,
        """
        ~~~python
        import insurrules
        insurrules.decide({"scheme": "kz-osms"})
        ~~~
        """,
    )
    with pytest.raises(Exception, match="invalid case"):
        _run(document)


def test_invalid_json_fails(tmp_path: Path) -> None:
    document = _page(tmp_path, '\n~~~json title="x.json"\n{"a": 1,}\n~~~\n')
    with pytest.raises(ValueError, match="Expecting property name"):
        _run(document)


def test_wrong_docstring_example_fails(tmp_path: Path) -> None:
    module = tmp_path / "wrong_module.py"
    module.write_text('def f() -> int:\n    """\n    >>> f()\n    2\n    """\n    return 1\n')
    sys.path.insert(0, str(tmp_path))
    try:
        document = source_sybil(tmp_path).parse(module)
        with pytest.raises(SybilFailure, match="Expected:\n    2\nGot:\n    1"):
            _run(document)
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("wrong_module", None)


def test_pytest_collection_reports_a_wrong_page(tmp_path: Path) -> None:
    """The same Sybil configuration, collected by pytest, fails the run on a wrong page."""
    (tmp_path / "conftest.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / 'tests' / 'docs')!r})\n"
        "from pathlib import Path\n"
        "from doc_examples import docs_sybil\n"
        "pytest_collect_file = docs_sybil(Path(__file__).parent).pytest()\n"
    )
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "good.md").write_text("```python\n>>> 1 + 1\n2\n\n```\n")
    (tmp_path / "bad.md").write_text("```python\n>>> 1 + 1\n3\n\n```\n")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 1 passed" in result.stdout
    assert "bad.md" in result.stdout


def test_every_python_block_of_every_page_is_executed() -> None:
    """Each ``python`` fence of each page holds at least one collected example, and each page
    with fences is collected at all (a block no parser sees would silently pass)."""
    lexer = RawFencedCodeBlockLexer(info_pattern=INFO)
    pages = sorted((ROOT / "docs").rglob("*.md"))
    assert len(pages) > 10
    unchecked = []
    for page in pages:
        document = docs_sybil().parse(page)
        starts = [example.region.start for example in document]
        # any fence that mentions python, e.g. the brace form {.python}, must be executed
        fences = [
            r
            for r in lexer(document)
            if "python" in r.lexemes["language"] + r.lexemes["attributes"]
            or r.lexemes["language"] == "py"
        ]
        for fence in fences:
            if not any(fence.start <= start < fence.end for start in starts):
                unchecked.append(f"{page.relative_to(ROOT)}:{document.line_column(fence.start)}")
    assert not unchecked


def test_no_example_is_skipped() -> None:
    """A doctest ``+SKIP`` directive would show an example the suite never checks."""
    skipped = [
        str(path.relative_to(ROOT))
        for folder, pattern in ((ROOT / "docs", "*.md"), (ROOT / "src", "*.py"))
        for path in sorted(folder.rglob(pattern))
        if "+SKIP" in path.read_text(encoding="utf-8")
    ]
    assert not skipped


def test_readme_shell_blocks_run_the_cli_and_fail_on_other_commands(tmp_path: Path) -> None:
    from tests.docs.doc_examples import readme_sybil

    (tmp_path / "examples").mkdir()
    readme = tmp_path / "README.md"
    readme.write_text(
        "~~~sh\nmake demo\ninsurrules schema \\\n    decision   # the schema\n~~~\n".replace(
            "~~~", FENCE
        ),
        encoding="utf-8",
    )
    document: Document = readme_sybil(tmp_path).parse(readme)
    _run(document)  # make is skipped; insurrules runs and exits 0
    readme.write_text(f"{FENCE}sh\ninsurrules check nowhere.json\n{FENCE}\n", encoding="utf-8")
    with pytest.raises(SybilFailure, match="exit status 2"):
        _run(readme_sybil(tmp_path).parse(readme))
    readme.write_text(f"{FENCE}sh\nrm -rf /\n{FENCE}\n", encoding="utf-8")
    with pytest.raises(SybilFailure, match="runs only insurrules and make commands"):
        _run(readme_sybil(tmp_path).parse(readme))
