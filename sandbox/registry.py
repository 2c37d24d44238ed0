"""Sandboxes by name: `--sandbox local|docker|unsafe` or any `package.module:Name` (or
`package.module.Name`) whose class takes no arguments."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from sandbox.api import Sandbox


class UnknownSandbox(Exception):
    """The name is neither a known sandbox nor an importable class; the message says which."""


def _local() -> Sandbox:
    from sandbox.local import LocalSandbox

    return LocalSandbox()


def _docker() -> Sandbox:
    from sandbox.docker_backend import DockerSandbox

    return DockerSandbox()


def _unsafe() -> Sandbox:
    from sandbox.local import LocalSandbox

    # LocalSandbox warns (UnsafeSandboxWarning) every time one is made in this mode.
    return LocalSandbox("plain")


KNOWN: dict[str, Callable[[], Sandbox]] = {
    "local": _local,
    "docker": _docker,
    "unsafe": _unsafe,
    "plain": _unsafe,
}


def get_sandbox(name: str) -> Sandbox:
    if name in KNOWN:
        return KNOWN[name]()
    module_name, sep, attr = name.partition(":")
    if not sep:
        module_name, _, attr = name.rpartition(".")
    if not module_name:
        raise UnknownSandbox(
            f"unknown sandbox {name!r}; choose one of {', '.join(KNOWN)} or give module:Name"
        )
    try:
        factory = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise UnknownSandbox(f"cannot load sandbox {name!r}: {exc}") from None
    sandbox: Sandbox = factory()
    return sandbox
