"""The case document: one base class, one subclass per scheme, chosen by ``scheme``.

``Case.model_validate(data)`` (and :func:`insurrules.decide` given a dict) reads ``scheme`` and
validates the rest with that scheme's model, so errors name the real field paths
(``person.id``, ``payments[3].month``) and an unknown scheme lists the known ones.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
from functools import cache
from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter, ValidationError

from insurrules.errors import sanitize_validation_error
from insurrules.models import FrozenModel, IsoDate

__all__ = ["SCHEMES", "Case", "parse_case"]

#: scheme code -> module holding its ``CASE_MODEL`` and ``decide_case``; imported on first use
#: so that ``import insurrules`` stays fast.
SCHEMES: dict[str, str] = {
    "kz-osms": "insurrules.kz.scheme",
    "vn-bhyt": "insurrules.vn.scheme",
}


class Case(FrozenModel):
    """Base of every scheme's case document: the scheme and the date asked about."""

    scheme: str
    as_of: IsoDate

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Any:
        if cls is Case:
            return parse_case(obj)
        return super().model_validate(obj, *args, **kwargs)

    @classmethod
    def model_validate_json(cls, data: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if cls is Case:
            return parse_case(json.loads(data))
        return super().model_validate_json(data, *args, **kwargs)

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if cls is Case:
            schema = _case_adapter().json_schema(*args, **kwargs)
            schema["title"] = "Case"
            schema["description"] = (
                "An insurrules case document; `scheme` selects the scheme-specific shape."
            )
            return schema
        return super().model_json_schema(*args, **kwargs)

    @property
    def as_of_date(self) -> dt.date:
        return self.as_of


def scheme_module(scheme: str) -> Any:
    return importlib.import_module(SCHEMES[scheme])


@cache
def _case_adapter() -> TypeAdapter[Any]:
    models = [scheme_module(s).CASE_MODEL for s in SCHEMES]
    union: Any = Annotated[Union[tuple(models)], Field(discriminator="scheme")]  # noqa: UP007
    return TypeAdapter(union)


def parse_case(data: Any) -> Case:
    """Validate a case document (a dict or a :class:`Case`) into its scheme's model.

    Raises :class:`pydantic.ValidationError` with field paths relative to the document and
    personal identifiers masked.
    """
    if isinstance(data, Case) and type(data) is not Case:
        return data
    if isinstance(data, dict) and data.get("scheme") in SCHEMES:
        model = scheme_module(data["scheme"]).CASE_MODEL
        try:
            return model.model_validate(data)  # type: ignore[no-any-return]
        except ValidationError as exc:
            raise sanitize_validation_error(exc) from None
    try:
        result: Case = _case_adapter().validate_python(data)
    except ValidationError as exc:
        raise sanitize_validation_error(exc) from None
    return result
