"""Strategies for hostile input: values, mutations of documents, generated documents, JSON text.

Built for reuse: a new fuzz target (population tables, claims) takes :data:`hostile_values`
for its cells and :func:`mutated` for its documents, and asserts with :mod:`tests.fuzz.checks`.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from tests.kz.strategies import kz_cases

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES: list[dict[str, Any]] = [
    json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "examples").glob("*.json"))
]
#: identifiers that appear in the examples and the generated documents (checked never to leak)
IDS = sorted({e["person"]["id"] for e in EXAMPLES})


def deep(depth: int, leaf: Any = 0) -> Any:
    """A list nested ``depth`` times (built without recursion)."""
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def deep_dict(depth: int) -> Any:
    value: Any = {}
    for _ in range(depth):
        value = {"a": value}
    return value


class BigInt(int):
    """An int too long for ``str()`` (Python 3.11+ refuses > 4300 digits), with a repr that
    hypothesis can print when it reports a failing example."""

    def __repr__(self) -> str:
        return f"BigInt(<{self.bit_length()} bits>)"


#: values a careless or hostile sender puts where a date, an id, an amount or a code belongs
NASTY: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    2**63,
    10**5000,
    -(10**4400),
    1.5,
    4250.5,
    float("nan"),
    float("inf"),
    -0.0,
    "",
    " ",
    "\n",
    "\r\n",
    "\x00",
    "\ud800",
    "\udfff",
    "٥",
    "١٢٣",
    "１２３４",
    "1_000",
    "1e999",
    "1E3",
    "-0",
    "+5",
    " 42",
    "42 ",
    "NaN",
    "Infinity",
    "0x10",
    "9999-12-31",
    "0001-01-01",
    "2100-12-31",
    "2101-01-01",
    "1799-12-31",
    "2020-02-30",
    "2020-02-29",
    "2021-02-29",
    "2020-13",
    "2020-00",
    "2020-1",
    "2020-06\n",
    "2020-06-01\n",
    "2020-06-01T00:00:00",
    "20200601",
    "٢٠٢٠-٠٦",
    "２０２０-０６",
    "870412445016",
    "870412445016\n",
    " 870412445016",
    "8704124450160",
    "87041244501６",
    "870412445016" * 3,
    "x" * 100_000,
    "{",
    "}",
    "{reason}",
    "%s",
    "\\u0000",
    "🙂" * 50,
    [],
    {},
    [[]],
    [None],
    {"a": 1},
    {"870412445016": 1},
    ["870412445016"],
    b"bytes",
    Decimal("NaN"),
    Decimal("-1"),
    Decimal("1E+5000"),
    dt.date.max,
    dt.date.min,
    dt.datetime(2020, 1, 1),
    ("deep", 100),
    ("deep", 3000),
    ("deep_dict", 3000),
    870412445016,
    79082007731,
]


def _fresh(value: Any) -> Any:
    """A new copy of a NASTY value: mutations edit documents in place, so a value drawn twice
    must never be one shared object (hypothesis would see the data change between runs)."""
    if isinstance(value, tuple) and value and value[0] == "deep":
        return deep(value[1])
    if isinstance(value, tuple) and value and value[0] == "deep_dict":
        return deep_dict(value[1])
    return copy.deepcopy(value) if isinstance(value, list | dict) else value


hostile_values: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(NASTY).map(_fresh),
    st.text(max_size=30),
    st.integers(),
    st.floats(),
    st.dates(),
    st.decimals(allow_nan=True),
    st.lists(st.integers() | st.text(max_size=5), max_size=4),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


def _paths(value: Any, where: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [where]
    stack = [(value, where)]
    while stack:
        item, at = stack.pop()
        if len(at) > 12:  # deep nesting is a value of its own, not a place to edit
            continue
        children = (
            item.items()
            if isinstance(item, dict)
            else enumerate(item)
            if isinstance(item, list)
            else ()
        )
        for key, child in children:
            out.append((*at, key))
            stack.append((child, (*at, key)))
    return out


def depth(value: Any, limit: int = 200) -> int:
    """How deeply ``value`` nests (up to ``limit``), without recursion."""
    level, frontier = 0, [value]
    while frontier and level < limit:
        frontier = [
            child
            for item in frontier
            if isinstance(item, dict | list)
            for child in (item.values() if isinstance(item, dict) else item)
        ]
        level += 1
    return level


def _copy(value: Any) -> Any:
    # deepcopy recurses: a deeply nested value is shared instead (it is never edited: _paths
    # does not descend that far), so that generation never depends on the stack's depth
    return copy.deepcopy(value) if depth(value, 50) < 50 else value


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


def _pick(draw: st.DrawFn, items: list[Any]) -> Any:
    # an index in a fixed range, not sampled_from(items): what is drawn never depends on the
    # size of the document, so hypothesis replays and shrinks mutations consistently
    return items[draw(st.integers(0, 2**16 - 1)) % len(items)]


@st.composite
def mutated(draw: st.DrawFn, document: Any, max_mutations: int = 3) -> Any:
    """``document`` with 1..max_mutations hostile edits at random places."""
    doc = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, max_mutations))):
        paths = _paths(doc)
        path = _pick(draw, paths)
        op = draw(st.sampled_from(["replace", "replace", "delete", "add", "grow", "swap"]))
        if not path:
            if op == "replace":
                doc = draw(hostile_values)
            continue
        parent, key = _get(doc, path[:-1]), path[-1]
        target = parent[key]
        if op == "replace":
            parent[key] = draw(hostile_values)
        elif op == "delete":
            del parent[key]
        elif op == "add" and isinstance(target, dict):
            name = draw(st.sampled_from(["extra", "id", "870412445016", "x\ny", "", "é"]))
            target[name] = draw(hostile_values)
        elif op == "grow" and isinstance(target, list):
            if target:
                item = _pick(draw, target)
                times = draw(st.sampled_from([2, 3, 1001, 10_001]))
                target.extend(_copy(item) for _ in range(times - 1))
            else:
                target.append(draw(hostile_values))
        elif op == "swap":
            other = _pick(draw, paths)
            if other and other[: len(path)] != path and path[: len(other)] != other:
                parent[key] = _copy(_get(doc, other))
    return doc


@st.composite
def vn_cases(draw: st.DrawFn) -> dict[str, Any]:
    """Valid-looking vn-bhyt documents (purchases, support groups, state groups, ranks)."""
    born = draw(st.dates(dt.date(1940, 1, 1), dt.date(2024, 12, 31)))
    as_of = draw(st.dates(max(born, dt.date(2015, 1, 1)), dt.date(2028, 12, 31)))
    days = sorted(set(draw(st.lists(st.dates(max(born, dt.date(2015, 1, 1)), as_of), max_size=6))))
    payments = [
        {
            "paid_on": d.isoformat(),
            "months": draw(st.sampled_from([3, 6, 12])),
            "amount": draw(st.sampled_from(["1263600", "0", "631800.5"])),
            "payer": draw(st.sampled_from(["household", "state", "employer", "student"])),
        }
        for d in days
    ]
    memberships = []
    if draw(st.booleans()):
        start = draw(st.dates(born, dt.date(2027, 12, 31)))
        code = draw(st.sampled_from(["near_poor", "student", "poor_household", "meritorious"]))
        end: dt.date | None = draw(st.dates(start, dt.date(2029, 12, 31)))
        if code in ("near_poor", "student") and draw(st.booleans()):
            end = None  # an open fully state-paid group would make any purchase an error (R1)
        memberships.append(
            {
                "code": code,
                "start": start.isoformat(),
                "end": end.isoformat() if end else None,
            }
        )
    person: dict[str, Any] = {
        "id": draw(st.from_regex(r"\A[0-9]{12}\Z")),
        "birth_date": born.isoformat(),
        "sex": draw(st.sampled_from(["male", "female"])),
        "memberships": memberships,
    }
    if draw(st.booleans()):
        person["household"] = {"rank": draw(st.integers(1, 6))}
    return {"scheme": "vn-bhyt", "as_of": as_of.isoformat(), "person": person, "payments": payments}


#: the examples, each drawn as a fresh copy (a test may keep or edit what it draws)
examples: st.SearchStrategy[dict[str, Any]] = st.sampled_from(range(len(EXAMPLES))).map(
    lambda i: copy.deepcopy(EXAMPLES[i])
)

#: documents of both schemes: the examples and generated ones
documents: st.SearchStrategy[dict[str, Any]] = st.one_of(examples, kz_cases(), vn_cases())

#: hostile documents: mutations of those
hostile_documents: st.SearchStrategy[Any] = documents.flatmap(mutated)


def _dumps(value: Any) -> str:
    if depth(value) >= 200:
        return "[" * 5000 + "]" * 5000
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (ValueError, RecursionError, TypeError):
        return "{}"


@st.composite
def json_texts(draw: st.DrawFn) -> bytes | str:
    """JSON text of hostile documents, and byte-level damage: BOMs, UTF-16, bad bytes,
    duplicate keys, truncation."""
    text = _dumps(draw(documents | hostile_documents))
    how = draw(
        st.sampled_from(["utf8", "utf8", "str", "bom", "utf16", "bad", "dup", "cut", "nest", "nan"])
    )
    if how == "str":
        return text
    if how == "bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8", "surrogatepass")
    if how == "utf16":
        return text.encode("utf-16", "surrogatepass")
    if how == "bad":
        raw = bytearray(text.encode("utf-8", "surrogatepass"))
        at = draw(st.integers(0, 2**16 - 1)) % (len(raw) + 1)
        raw.insert(at, draw(st.sampled_from([0xFF, 0xC3, 0x80, 0xED])))
        return bytes(raw)
    if how == "dup" and text.startswith("{") and len(text) > 2:
        key = draw(
            st.sampled_from(['"scheme": "kz-osms"', '"as_of": "2026-01-01"', '"payments": []'])
        )
        return ("{" + key + ", " + text[1:]).encode("utf-8", "surrogatepass")
    if how == "cut":
        return text[: draw(st.integers(0, 2**16 - 1)) % (len(text) + 1)].encode(
            "utf-8", "surrogatepass"
        )
    if how == "nest":
        depth = draw(st.sampled_from([50, 1000, 100_000]))
        return "[" * depth + "]" * depth
    if how == "nan":
        return text.replace('"4250"', "NaN").replace('"1263600"', "Infinity")
    return text.encode("utf-8", "surrogatepass")
