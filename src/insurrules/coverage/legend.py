"""How a basis is shown: a letter in the text strip, a colour in charts and notebooks (its name
is in the message catalogues: ``insurrules.messages.basis_label``)."""

from __future__ import annotations

__all__ = ["COLOURS", "SYMBOLS"]


#: one character per basis in the text strip (and its legend)
SYMBOLS: dict[str | None, str] = {
    "contributions": "C",
    "grace_period": "G",
    "prepaid": "P",
    "state_funded": "S",
    "transition": "T",
    "card": "K",
    None: "·",
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
