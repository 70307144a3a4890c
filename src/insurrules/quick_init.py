"""A cheaper ``__init__`` for frozen, slotted dataclasses, derived from their fields.

The ``__init__`` that ``dataclasses`` writes for a frozen class sets each field through
``object.__setattr__`` (the class's own ``__setattr__`` refuses): a look-up of the attribute
by name and a generic call per field. A decision builds a dozen such records (facts, routes,
readings) of up to 14 fields, and that was a fifth of the rules' time. The ``__init__``
written here sets each field through its slot's descriptor, fetched once: the same values in
the same slots, so equality, hashing, ``repr``, ``dataclasses.replace`` and ``fields`` and the
refusal of assignment are those of the dataclass (a test holds each class's instances equal to
the ones the dataclass's own ``__init__`` builds).
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

__all__ = ["quick_init"]

C = TypeVar("C", bound=type[Any])


def quick_init(cls: C) -> C:
    """Give the frozen, slotted dataclass ``cls`` an ``__init__`` that sets its slots directly
    (same parameters, same defaults; no ``__post_init__``, no default factory)."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__} is not a frozen dataclass with slots")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} has a __post_init__")
    fields = dataclasses.fields(cls)
    names: dict[str, Any] = {}
    args = []
    for f in fields:
        if not f.init or f.kw_only or f.default_factory is not dataclasses.MISSING:
            raise TypeError(f"{cls.__name__}.{f.name}: only plain fields are supported")
        names[f"_set_{f.name}"] = cls.__dict__[f.name].__set__
        if f.default is dataclasses.MISSING:
            args.append(f.name)
        else:
            names[f"_default_{f.name}"] = f.default
            args.append(f"{f.name}=_default_{f.name}")
    body = "".join(f"    _set_{f.name}(self, {f.name})\n" for f in fields) or "    pass\n"
    exec(f"def __init__(self, {', '.join(args)}):\n{body}", names)
    init = names["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init
    return cls
