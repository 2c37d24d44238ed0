from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sandbox.docker_backend import DockerSandbox, engine_unavailable_reason
from sandbox.local import LocalSandbox, UnsafeSandboxWarning
from sandbox.registry import UnknownSandbox, get_sandbox


@pytest.mark.skipif(not shutil.which("bwrap"), reason="bubblewrap not installed")
def test_local_is_bubblewrap_when_installed() -> None:
    sandbox = get_sandbox("local")
    assert isinstance(sandbox, LocalSandbox) and sandbox.name == "local+bwrap"


@pytest.mark.parametrize("name", ["unsafe", "plain"])
def test_unsafe_warns_loudly(name: str) -> None:
    with pytest.warns(UnsafeSandboxWarning, match="UNSAFE SANDBOX"):
        sandbox = get_sandbox(name)
    assert sandbox.name == "unsafe"


@pytest.mark.skipif(
    engine_unavailable_reason() is not None, reason=str(engine_unavailable_reason())
)
def test_docker_by_name() -> None:
    sandbox = get_sandbox("docker")
    assert isinstance(sandbox, DockerSandbox)
    sandbox.close()


@pytest.mark.parametrize("name", ["sandbox.local:LocalSandbox", "sandbox.local.LocalSandbox"])
def test_a_dotted_path_names_any_class(name: str) -> None:
    assert isinstance(get_sandbox(name), LocalSandbox)


@pytest.mark.parametrize("name", ["nope", "sandbox.local:Nope", "no.such.module:Thing"])
def test_unknown_names_say_what_is_known(name: str) -> None:
    with pytest.raises(UnknownSandbox, match="sandbox"):
        get_sandbox(name)


def test_docker_without_an_engine_says_how_to_start_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/nothing.sock")
    with pytest.raises(RuntimeError, match=r"docker-up\.sh"):
        get_sandbox("docker")
