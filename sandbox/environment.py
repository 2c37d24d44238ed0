"""The allowlisted environment a sandboxed command sees: secrets never pass."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

ALLOWED = ("PATH", "HOME", "LANG", "LANGUAGE", "TERM", "TZ", "VIRTUAL_ENV", "PYTHONPATH", "USER")
ALLOWED_PREFIXES = ("LC_",)
# Names that look like credentials are dropped even when a caller passes them explicitly.
SECRET = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH)", re.IGNORECASE)


def sandbox_env(
    extra: Mapping[str, str] | None = None, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Build the child environment from an allowlist of the parent's, plus `extra`."""
    source = os.environ if base is None else base
    env = {k: v for k, v in source.items() if k in ALLOWED or k.startswith(ALLOWED_PREFIXES)}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    # The interpreter running perfsmith is the one the user's project was installed into;
    # make `python` in workload commands mean that interpreter even when its venv is not on PATH.
    interpreter_dir = str(Path(sys.executable).parent)
    if interpreter_dir not in env["PATH"].split(os.pathsep):
        env["PATH"] = interpreter_dir + os.pathsep + env["PATH"]
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return {k: v for k, v in env.items() if not SECRET.search(k)}
