"""Pick implementations by short name, or by a dotted path `package.module:Name`."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


class UnknownComponent(Exception):
    pass


def resolve(kind: str, name: str, known: dict[str, Callable[..., Any]]) -> Callable[..., Any]:
    if name in known:
        return known[name]
    module_name, sep, attr = name.partition(":")
    if not sep:
        raise UnknownComponent(
            f"unknown {kind} {name!r}; choose one of {', '.join(sorted(known))} or give module:Name"
        )
    try:
        return getattr(importlib.import_module(module_name), attr)  # type: ignore[no-any-return]
    except (ImportError, AttributeError) as exc:
        raise UnknownComponent(f"cannot load {kind} {name!r}: {exc}") from None
