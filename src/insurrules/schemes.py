"""The schemes the package decides, each by the module that holds its case model and rules.

A scheme's module is imported only when a case of that scheme is read (``import insurrules``
stays fast). Shared by the case document ([`insurrules.case`][insurrules.case]) and its JSON Schema
([`insurrules.schema`][insurrules.schema]), which would otherwise import each other.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

__all__ = ["SCHEMES", "scheme_module"]

SCHEMES: dict[str, str] = {
    "kz-osms": "insurrules.kz.scheme",
    "vn-bhyt": "insurrules.vn.scheme",
}


@cache  # once imported, a dict lookup: every decision asks for its scheme's module
def scheme_module(scheme: str) -> Any:
    return importlib.import_module(SCHEMES[scheme])
