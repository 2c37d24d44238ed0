"""Docker backend: each workspace gets a warm container, and every run is a `docker exec` in it.

The container: network "none"; read-only root (the image holds only the OS userland, built by
.ci/docker-up.sh); a tmpfs /tmp; memory (no swap), pids and optional CPU limits; no
capabilities and no-new-privileges. Mounted at the same absolute paths as on the host, so
commands and profiles name the same files inside and out: the workspace read-write, its .git
read-only (see sandbox/wrappers.py for why), and the Python installation and virtual
environment read-only (mounted, not baked into the image: no rebuild when a dependency changes).
Commands run as an unprivileged user (nobody when perfsmith is root, else perfsmith's own user)
under sandbox/docker_runner.py, which applies the per-run rlimits and clears leftovers.

The engine is the one DOCKER_HOST names and must run on this machine (it bind-mounts host
paths). A run that times out, or whose supervisor was killed, takes its container down with
it; the next run of that workspace starts a fresh one. `close()` removes them all.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

import docker
from docker.errors import DockerException, ImageNotFound, NotFound
from docker.models.containers import Container
from docker.types import Mount

from sandbox import docker_runner
from sandbox.api import Ending, Limits, RunResult
from sandbox.environment import sandbox_env
from sandbox.identity import SandboxUser, lent
from sandbox.output import Capture, ending_of, exit_ending, ran_out_of_memory
from sandbox.process import join_watching
from sandbox.quota import DiskWatch
from sandbox.wrappers import python_paths

DEFAULT_IMAGE = "perfsmith-sandbox:latest"
IMAGE_ENV = "PERFSMITH_DOCKER_IMAGE"
LABEL = "perfsmith.sandbox"
MAX_WARM = 4  # baseline, best and a candidate or two: what one measurement alternates between
RUNNER = Path(docker_runner.__file__).read_text()
CONTAINER_HOME = "/tmp"  # the only writable place besides the workspace


def engine_unavailable_reason(image: str | None = None) -> str | None:
    """Why the docker backend cannot run here, or None when it can."""
    image = image or os.environ.get(IMAGE_ENV, DEFAULT_IMAGE)
    hint = "start one with `export DOCKER_HOST=$(.ci/docker-up.sh)`"
    try:
        client = docker.from_env(timeout=5)
        client.ping()
    except DockerException as exc:
        where = os.environ.get("DOCKER_HOST", "the default socket (DOCKER_HOST is unset)")
        return f"no Docker engine answers at {where} ({type(exc).__name__}); {hint}"
    try:
        client.images.get(image)
    except ImageNotFound:
        return f"the Docker engine has no image {image!r}; {hint} (it builds the image)"
    finally:
        client.close()
    return None


@dataclass
class _Warm:
    container: Container
    shape: tuple[int | None, int | None]  # the container-level limits it was made with


class DockerSandbox:
    name = "docker"

    def __init__(
        self,
        image: str | None = None,
        *,
        cpus: float | None = None,
        expose: Sequence[Path] = (),
        client: docker.DockerClient | None = None,
    ) -> None:
        """`cpus` caps CPU with a CFS quota (None: all CPUs; note a quota adds throttling
        jitter to timings). `expose` lists extra host paths mounted read-only."""
        self.image = image or os.environ.get(IMAGE_ENV, DEFAULT_IMAGE)
        if client is None:
            reason = engine_unavailable_reason(self.image)
            if reason:
                raise RuntimeError(reason)
            client = docker.from_env()
        # The image is only ever looked up, never pulled: no registry is ours to reach.
        self.client = client
        self.cpus = cpus
        self.expose = [*python_paths(), *(Path(p).resolve() for p in expose)]
        self.user = SandboxUser.default() or SandboxUser(os.geteuid(), os.getegid(), "")
        self._borrower = self.user if self.user.uid != os.geteuid() else None  # see identity.py
        self._warm: OrderedDict[Path, _Warm] = OrderedDict()
        self._finalizer = weakref.finalize(self, _remove_all, self._warm)

    def run(
        self,
        cmd: str,
        cwd: Path,
        env: dict[str, str] | None = None,
        limits: Limits | None = None,
    ) -> RunResult:
        limits = limits or Limits()
        if limits.network:
            raise ValueError(
                "the docker sandbox has no network; use the local sandbox for network runs"
            )
        cwd = Path(cwd).resolve()
        with lent(cwd, self._borrower):
            return self._run(cmd, cwd, env, limits)

    def close(self) -> None:
        """Remove every warm container."""
        _remove_all(self._warm)

    def __enter__(self) -> DockerSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self, cmd: str, cwd: Path, env: dict[str, str] | None, limits: Limits) -> RunResult:
        container = self._container(cwd, limits)
        child_env = {**sandbox_env(env), "HOME": CONTAINER_HOME}
        if self.user.name:
            child_env.update(USER=self.user.name, LOGNAME=self.user.name)
        argv = [sys.executable, "-I", "-S", "-c", RUNNER, json.dumps(_rlimits(limits)), cmd]
        exec_id = self.client.api.exec_create(
            container.id,
            argv,
            user=f"{self.user.uid}:{self.user.gid}",
            workdir=str(cwd),
            environment=child_env,
        )["Id"]
        # The workspace is a bind mount of a host folder, so the host watches it grow.
        watch = DiskWatch.for_limits(cwd, limits.disk_bytes)
        streamed = _stream(self.client, exec_id, limits.wall_seconds, watch)
        if streamed.stopped and watch is not None:
            self._discard(cwd)  # as for a timeout: the container goes, the exec with it
            streamed.reader.join()
            return _result(cmd, streamed, ("disk", None), watch.noted(streamed.stderr.tail))
        if streamed.timed_out:
            self._discard(cwd)  # the only way to stop an exec: take its container down
            streamed.reader.join()
            return _result(cmd, streamed, ("timeout", None))
        stderr, report = _split_report(streamed.stderr.tail)
        code = self.client.api.exec_inspect(exec_id)["ExitCode"]
        if report is None or code != 0:
            # The supervisor died (the command killed it; any report is forged) and did not
            # sweep: leftovers may still run in there.
            self._discard(cwd)
            return _result(
                cmd, streamed, exit_ending(code) if code is not None else ("error", None)
            )
        ending, returncode = ending_of(report["status"])
        if limits.memory_bytes is not None and (
            report["oom_kills"] > 0 or ran_out_of_memory(returncode, stderr)
        ):
            ending = "memory"
        return _result(cmd, streamed, (ending, returncode), stderr, report)

    def _container(self, workspace: Path, limits: Limits) -> Container:
        shape = (limits.memory_bytes, limits.max_processes)
        warm = self._warm.get(workspace)
        if warm is not None and warm.shape != shape:
            self._discard(workspace)
            warm = None
        if warm is None:
            warm = _Warm(self._start(workspace, limits), shape)
            self._warm[workspace] = warm
            while len(self._warm) > MAX_WARM:
                self._discard(next(iter(self._warm)))
        self._warm.move_to_end(workspace)
        return warm.container

    def _start(self, workspace: Path, limits: Limits) -> Container:
        mounts = [Mount(str(p), str(p), type="bind", read_only=True) for p in self.expose]
        mounts.append(Mount(str(workspace), str(workspace), type="bind"))
        git = workspace / ".git"
        if git.exists():
            mounts.append(Mount(str(git), str(git), type="bind", read_only=True))
        tmp_size = f",size={limits.memory_bytes}" if limits.memory_bytes else ""
        container = self.client.containers.create(
            self.image,
            ["sleep", "infinity"],
            init=True,  # pid 1 reaps what the runner's sweep kills
            user="0:0",  # only `sleep`, without capabilities; runs use self.user
            network_mode="none",
            read_only=True,
            tmpfs={"/tmp": f"mode=1777{tmp_size}"},
            mounts=mounts,
            mem_limit=limits.memory_bytes,
            memswap_limit=limits.memory_bytes,
            pids_limit=limits.max_processes,
            nano_cpus=int(self.cpus * 1e9) if self.cpus else None,
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            labels={LABEL: str(workspace)},
            stop_signal="SIGKILL",
        )
        container.start()
        return container

    def _discard(self, workspace: Path) -> None:
        warm = self._warm.pop(workspace, None)
        if warm is not None:
            _remove(warm.container)


def _rlimits(limits: Limits) -> dict[str, int]:
    pairs = {
        "RLIMIT_CPU": limits.cpu_seconds,
        "RLIMIT_FSIZE": limits.file_size_bytes,
        "RLIMIT_NOFILE": limits.open_files,
    }
    return {name: value for name, value in pairs.items() if value is not None}


class _Report(TypedDict):
    """What sandbox/docker_runner.py reports at the end of each run."""

    status: int
    cpu_seconds: float
    peak_memory_bytes: int
    oom_kills: int


@dataclass(frozen=True)
class _Streamed:
    stdout: Capture
    stderr: Capture
    wall_seconds: float
    reader: threading.Thread  # still alive when the time ran out or the watch stopped it
    stopped: bool = False  # the watch (disk quota) said stop

    @property
    def timed_out(self) -> bool:
        return self.reader.is_alive() and not self.stopped


def _stream(
    client: docker.DockerClient, exec_id: str, wall_seconds: float, watch: DiskWatch | None
) -> _Streamed:
    """Start the exec and feed its output through until it ends, the time is up or the
    watch says stop."""
    stdout, stderr = Capture(), Capture()
    started = time.perf_counter()
    stream = client.api.exec_start(exec_id, stream=True, demux=True)
    reader = threading.Thread(target=_drain, args=(stream, stdout, stderr), daemon=True)
    reader.start()
    stopped = False
    if watch is None:
        reader.join(wall_seconds)
    else:
        stopped = join_watching(reader, wall_seconds, watch)
    return _Streamed(stdout, stderr, time.perf_counter() - started, reader, stopped)


def _drain(
    stream: Iterator[tuple[bytes | None, bytes | None]], stdout: Capture, stderr: Capture
) -> None:
    for out, err in stream:
        if out:
            stdout.feed(out)
        if err:
            stderr.feed(err)


def _result(
    cmd: str,
    streamed: _Streamed,
    ending: tuple[Ending, int | None],
    stderr: str | None = None,
    report: _Report | None = None,
) -> RunResult:
    return RunResult(
        command=cmd,
        returncode=ending[1],
        ending=ending[0],
        stdout=streamed.stdout.tail,
        stderr=streamed.stderr.tail if stderr is None else stderr,
        wall_seconds=streamed.wall_seconds,
        cpu_seconds=report["cpu_seconds"] if report else 0.0,
        peak_memory_bytes=report["peak_memory_bytes"] if report else 0,
        stdout_sha256=streamed.stdout.digest,
    )


def _split_report(stderr: str) -> tuple[str, _Report | None]:
    """The command's stderr, and the runner's report that ends it (None if it is missing)."""
    text, sep, line = stderr.rpartition("\n" + docker_runner.MARKER)
    if not sep or line.count("\n") != 1 or not line.endswith("\n"):
        return stderr, None
    report: _Report = json.loads(line)
    return text, report


def _remove(container: Container) -> None:
    try:
        container.remove(force=True)
    except NotFound:
        return  # already gone


def _remove_all(warm: OrderedDict[Path, _Warm]) -> None:
    while warm:
        _, entry = warm.popitem()
        _remove(entry.container)
