"""How a basis is shown: a letter in the text strip, a colour in charts and notebooks, and its
name (from the message catalogues: ``kz.basis.…``, ``vn.basis.…``, ``cli.span.not_insured``)."""

from __future__ import annotations

from insurrules.messages import MESSAGES, message

__all__ = ["COLOURS", "SYMBOLS", "basis_label"]

_SCHEME_OF = {"card": "vn", None: "cli"}


def _key(basis: str | None, scheme: str | None = None) -> str:
    if basis is None:
        return "cli.span.not_insured"
    prefix = {"kz-osms": "kz", "vn-bhyt": "vn"}.get(scheme or "", _SCHEME_OF.get(basis, "kz"))
    return f"{prefix}.basis.{basis}"


def basis_label(scheme: str, basis: str | None) -> str:
    """The name of ``basis`` (None: not insured) in the language being spoken."""
    return message(_key(basis, scheme))


#: one character per basis in the text strip (and its English name, for charts and notebooks)
SYMBOLS: dict[str | None, tuple[str, str]] = {
    basis: (letter, MESSAGES[_key(basis)])
    for basis, letter in (
        ("contributions", "C"),
        ("grace_period", "G"),
        ("prepaid", "P"),
        ("state_funded", "S"),
        ("transition", "T"),
        ("card", "K"),
        (None, "·"),
    )
}
#: chart colours by basis
COLOURS: dict[str | None, str] = {
    "contributions": "#2a9d8f",
    "grace_period": "#e9c46a",
    "prepaid": "#8ab17d",
    "state_funded": "#264653",
    "transition": "#8d99ae",
    "card": "#2a9d8f",
    None: "#e76f51",
}
