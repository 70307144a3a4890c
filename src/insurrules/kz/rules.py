"""The kz-osms rule set in force: parameters, D-n switches and categories (``parameters.toml``)."""

from __future__ import annotations

from functools import cache

from insurrules.parameters import RuleSet, load_rule_set

__all__ = ["default_rules", "rules"]


@cache
def default_rules() -> RuleSet:
    """The rules as shipped (loaded once; a [`RuleSet`][insurrules.parameters.RuleSet] is
    immutable)."""
    return load_rule_set("insurrules.kz")


def rules() -> RuleSet:
    """The kz-osms rules in force, to read or to change with
    [`RuleSet.with_changes`][insurrules.parameters.RuleSet.with_changes]."""
    return default_rules()
