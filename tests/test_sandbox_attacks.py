"""Hostile candidates against each isolating backend. Every attack must be contained: the run
ends within its limits, the host, the user's repository and perfsmith's own install are
unchanged, secrets stay invisible, and the RunResult says how the run ended.

Every attack is bounded (process counts, bytes, seconds) so that a containment failure cannot
hurt the machine running the tests, and network attacks only aim at listeners this test opens
on this machine's loopback. docs/security.md has the resulting table.
"""

from __future__ import annotations

import hashlib
import os
import select
import shlex
import shutil
import socket
import subprocess
import textwrap
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import sandbox as sandbox_package
from sandbox.api import Limits, RunResult, Sandbox
from sandbox.docker_backend import DockerSandbox, engine_unavailable_reason
from sandbox.local import LocalSandbox

BACKENDS = ["local-bwrap", "local-unshare", "docker"]
BUILD = Path(__file__).resolve().parents[1] / "build"  # outside /tmp and $HOME, like a real repo
MiB = 1024**2
Attack = Callable[..., RunResult]  # attack(script, *args, limits=..., env=...)


@pytest.fixture(scope="module")
def docker_sandbox() -> Iterator[DockerSandbox]:
    reason = engine_unavailable_reason()
    if reason:
        pytest.skip(reason)
    with DockerSandbox() as sandbox:
        yield sandbox


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if name == "local-bwrap" and not shutil.which("bwrap"):
        pytest.skip("bubblewrap is not installed")
    if name == "local-unshare" and not shutil.which("unshare"):
        pytest.skip("unshare is not installed")
    return name


@pytest.fixture
def sandbox(backend: str, request: pytest.FixtureRequest) -> Sandbox:
    if backend == "docker":
        docker: Sandbox = request.getfixturevalue("docker_sandbox")
        return docker
    return LocalSandbox("bwrap" if backend == "local-bwrap" else "unshare")


@pytest.fixture
def python(sandbox: Sandbox, workspace: Path) -> str:
    """The interpreter the attacks run with: the project's own, unless the sandbox user cannot
    reach it (unshare hides nothing and re-binds nothing, so pyenv under root's 0700 home is
    out of nobody's reach) and a system one can stand in; the attacks need only the stdlib."""
    for candidate in ("python", "/usr/bin/python3"):
        if sandbox.run(f"{candidate} -c pass", workspace, limits=Limits(wall_seconds=30)).ok:
            return candidate
    pytest.skip("no Python interpreter is reachable inside this sandbox")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A git workspace under pytest's 0700 /tmp/pytest-of-root: bwrap and unshare both cover
    /tmp with a fresh tmpfs and bind the workspace back at its own path."""
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "module.py").write_text("def f():\n    return 1\n")
    subprocess.run(["git", "init", "-q", str(ws)], check=True)
    return ws


@pytest.fixture
def outside(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A user's world outside the workspace: a HOME with a key in it, and a repository."""
    root = BUILD / f"attack-{uuid.uuid4().hex[:8]}"
    home, repo = root / "home", root / "user-repo"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh").chmod(0o700)
    key = home / ".ssh" / "id_ed25519"
    key.write_text(f"SECRET-KEY-{uuid.uuid4().hex}\n")
    key.chmod(0o600)
    (home / ".bashrc").write_text("# the user's shell setup\n")
    repo.mkdir()
    (repo / "module.py").write_text("def f():\n    return 1\n")
    monkeypatch.setenv("HOME", str(home))
    yield root
    shutil.rmtree(root)


@pytest.fixture
def attack(sandbox: Sandbox, workspace: Path, python: str) -> Attack:
    """Write the script into the workspace and run it there; returns the RunResult."""

    def run(
        script: str, *args: str, limits: Limits | None = None, env: dict[str, str] | None = None
    ) -> RunResult:
        (workspace / "attack.py").write_text(textwrap.dedent(script))
        command = shlex.join([python, "attack.py", *args])
        return sandbox.run(command, workspace, env=env, limits=limits or Limits(wall_seconds=30))

    return run


def still_works(sandbox: Sandbox, ws: Path) -> bool:
    result = sandbox.run("echo alive", ws, limits=Limits(wall_seconds=30))
    return result.ok and result.stdout == "alive\n"


def fingerprint(root: Path) -> dict[str, str]:
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def host_processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except (FileNotFoundError, ProcessLookupError):
                continue  # exited while we looked
    return found


NETWORK = """
    import socket, sys
    targets = [(socket.AF_INET, ("127.0.0.1", int(sys.argv[1]))), (socket.AF_UNIX, "\\0" + sys.argv[2])]
    if sys.argv[3] != "-":
        targets.append((socket.AF_INET6, ("::1", int(sys.argv[3]))))
    for family, address in targets:
        try:
            with socket.socket(family, socket.SOCK_STREAM) as s:
                s.settimeout(3)
                s.connect(address)
                s.sendall(b"escaped")
            print("CONNECTED", address)
        except OSError as exc:
            print("BLOCKED", address, exc)
"""


def listeners() -> tuple[list[socket.socket], list[str]]:
    """Servers on this machine's loopback (and an abstract unix socket, which belongs to the
    network namespace too); the attack's arguments that name them."""
    tcp = socket.create_server(("127.0.0.1", 0))
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    abstract = f"perfsmith-attack-{uuid.uuid4().hex[:8]}"
    unix.bind("\0" + abstract)
    unix.listen()
    servers, args = [tcp, unix], [str(tcp.getsockname()[1]), abstract, "-"]
    if socket.has_ipv6:
        try:
            tcp6 = socket.create_server(("::1", 0), family=socket.AF_INET6)
        except OSError:
            return servers, args  # no IPv6 loopback here
        servers.append(tcp6)
        args[2] = str(tcp6.getsockname()[1])
    return servers, args


def test_network_to_the_hosts_loopback_is_unreachable(attack: Attack) -> None:
    servers, args = listeners()
    try:
        result = attack(NETWORK, *args)
        # A completed connection waits in the listen queue, accepted or not: readable means
        # the attack got through.
        readable, _, _ = select.select(servers, [], [], 0)
    finally:
        for server in servers:
            server.close()
    assert readable == [] and "CONNECTED" not in result.stdout, result.stdout
    assert result.stdout.count("BLOCKED") == len(servers), result.stdout + result.stderr


WRITE = """
    import os, sys
    home, repo = sys.argv[1], sys.argv[2]
    targets = [os.path.join(home, ".bashrc"), os.path.join(home, "planted"), "/etc/perfsmith-planted",
               os.path.join(repo, "module.py"), os.path.join(repo, "planted.py"), ".git/config",
               ".git/hooks/post-commit"]
    for path in targets:
        try:
            with open(path, "a") as f:
                f.write("\\n[core]\\n\\tfsmonitor = touch /tmp/pwned\\n")
            print("WROTE", path)
        except OSError as exc:
            print("DENIED", path, exc.strerror)
    open("inside.txt", "w").write("ok")
"""


def test_writes_outside_the_workspace_fail(
    attack: Attack, sandbox: Sandbox, workspace: Path, outside: Path
) -> None:
    before = fingerprint(outside), fingerprint(workspace / ".git")
    result = attack(WRITE, str(outside / "home"), str(outside / "user-repo"))
    try:
        # Judged on the host: under bwrap, writes to $HOME succeed, in a private tmpfs.
        assert (fingerprint(outside), fingerprint(workspace / ".git")) == before, result.stdout
        assert not Path("/etc/perfsmith-planted").exists()
    finally:
        Path("/etc/perfsmith-planted").unlink(missing_ok=True)
    for denied in ("/etc/perfsmith-planted", "user-repo/module.py", ".git/config", ".git/hooks"):
        assert f"WROTE {denied}" not in result.stdout.replace(str(outside) + "/", "")
    assert (workspace / "inside.txt").read_text() == "ok"


SECRETS = """
    import glob, os, sys
    home, key = sys.argv[1], sys.argv[2]
    for path in [key, *glob.glob(home + "/**", recursive=True)]:
        try:
            print("READ", path, open(path).read())
        except OSError as exc:
            print("DENIED", path, exc.strerror)
    print("ENV", dict(os.environ))
    for path in glob.glob("/proc/[0-9]*/environ") + glob.glob("/proc/[0-9]*/cmdline"):
        try:
            print("PROC", path, open(path, "rb").read())
        except OSError:
            pass
"""


def test_secrets_are_invisible(
    attack: Attack,
    sandbox: Sandbox,
    workspace: Path,
    outside: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api_key = f"sk-planted-{uuid.uuid4().hex}"
    monkeypatch.setenv("OPENAI_API_KEY", api_key)
    key = outside / "home" / ".ssh" / "id_ed25519"
    secret = key.read_text().strip()
    # Passed explicitly too: names that look like credentials never pass.
    result = attack(SECRETS, str(outside / "home"), str(key), env={"MY_TOKEN": api_key})
    assert result.ok, result
    assert "DENIED" in result.stdout and "ENV" in result.stdout
    for value in (api_key, secret):
        assert value not in result.stdout + result.stderr


FORK_BOMB = """
    import os, sys, time
    forked = failed = 0
    for _ in range(1000):  # the safety cap if containment fails
        try:
            pid = os.fork()
        except OSError:
            failed += 1
            if failed > 20:
                break
            continue
        if pid == 0:
            time.sleep(20)
            os._exit(0)
        forked += 1
    print("FORKED", forked, "FAILED", failed, flush=True)
"""


def test_a_fork_bomb_is_capped(attack: Attack, sandbox: Sandbox, workspace: Path) -> None:
    marker = f"bomb-{uuid.uuid4().hex[:8]}"
    limits = Limits(wall_seconds=30, max_processes=64)
    started = time.monotonic()
    result = attack(FORK_BOMB, marker, limits=limits)
    assert result.ending == "exit" and time.monotonic() - started < 25, result
    forked = int(result.stdout.split()[1])
    assert 0 < forked <= 64 and "FAILED 21" in result.stdout
    assert host_processes_with(marker) == []
    assert still_works(sandbox, workspace)


MEMORY = """
    import sys
    chunks, limit = [], int(sys.argv[1])
    while sum(map(len, chunks)) < 10 * limit:  # 10x the limit, then stop if still alive
        chunks.append(bytearray(64 * 2**20))  # zero-filled: the pages are really touched
    print("ALLOCATED", sum(map(len, chunks)))
"""


def test_memory_past_the_limit_ends_as_memory(
    attack: Attack, sandbox: Sandbox, workspace: Path
) -> None:
    limit = 128 * MiB
    result = attack(MEMORY, str(limit), limits=Limits(wall_seconds=60, memory_bytes=limit))
    assert result.ending == "memory" and "ALLOCATED" not in result.stdout, result
    assert still_works(sandbox, workspace)


@pytest.mark.parametrize(
    ("body", "limits", "ending"),
    [
        ("while True: pass", Limits(wall_seconds=1), "timeout"),
        ("import time; time.sleep(30)", Limits(wall_seconds=1), "timeout"),
        ("while True: pass", Limits(wall_seconds=20, cpu_seconds=1), "signal"),
    ],
    ids=["busy", "sleep", "cpu-limit"],
)
def test_runaways_end_within_their_limit(
    attack: Attack,
    sandbox: Sandbox,
    workspace: Path,
    body: str,
    limits: Limits,
    ending: str,
) -> None:
    started = time.monotonic()
    result = attack(body, limits=limits)
    assert result.ending == ending and time.monotonic() - started < 10, result
    assert still_works(sandbox, workspace)


DAEMON = """
    import os, sys
    marker = sys.argv[1]
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            loop = "import time, pathlib\\nfor _ in range(600):\\n    pathlib.Path('heartbeat').touch()\\n    time.sleep(0.1)"
            os.execv(sys.executable, [sys.executable, "-c", loop, marker])
        os._exit(0)
    os.wait()
    print("DAEMONIZED")
"""


def test_a_daemon_does_not_outlive_its_run(
    attack: Attack, sandbox: Sandbox, workspace: Path
) -> None:
    marker = f"daemon-{uuid.uuid4().hex[:8]}"
    result = attack(DAEMON, marker)
    assert result.ok and "DAEMONIZED" in result.stdout, result
    assert host_processes_with(marker) == []
    heartbeat = workspace / "heartbeat"
    seen = heartbeat.stat().st_mtime_ns if heartbeat.exists() else None
    time.sleep(0.5)
    assert (heartbeat.stat().st_mtime_ns if heartbeat.exists() else None) == seen


KILL_PARENT = """
    import os, signal
    for pid in (os.getppid(), 1):
        try:
            os.kill(pid, signal.SIGKILL)
            print("SIGNALLED", pid, flush=True)
        except OSError as exc:
            print("DENIED", pid, exc.strerror, flush=True)
    import time; time.sleep(2)
"""


def test_killing_its_parent_is_survived_and_reported(
    attack: Attack, sandbox: Sandbox, workspace: Path
) -> None:
    me = os.getpid()
    result = attack(KILL_PARENT, limits=Limits(wall_seconds=20))
    assert os.getpid() == me  # still here to assert anything at all
    assert result.ending in ("signal", "exit") and result.wall_seconds < 15, result
    assert still_works(sandbox, workspace)


FILL = """
    import sys
    path, cap = sys.argv[1], int(sys.argv[2])
    written = 0
    try:
        with open(path, "wb") as f:
            while written < cap:  # twice the limit: the safety cap if containment fails
                f.write(b"x" * 2**20)
                f.flush()
                written += 2**20
    except OSError as exc:
        print("STOPPED", written, exc.strerror)
    print("WROTE", written)
"""


def test_filling_the_disk_stops_at_the_file_size_limit(
    attack: Attack, sandbox: Sandbox, workspace: Path
) -> None:
    limit = 16 * MiB
    result = attack(
        FILL, "fill.bin", str(2 * limit), limits=Limits(wall_seconds=30, file_size_bytes=limit)
    )
    assert result.ending == "exit" and "STOPPED" in result.stdout, result
    assert (workspace / "fill.bin").stat().st_size <= limit


def test_tmp_is_private_and_bounded(attack: Attack, sandbox: Sandbox, workspace: Path) -> None:
    name = f"/tmp/perfsmith-fill-{uuid.uuid4().hex[:8]}"
    limit = 64 * MiB
    result = attack(
        FILL,
        name,
        str(2 * limit),
        limits=Limits(wall_seconds=30, memory_bytes=limit, file_size_bytes=4 * limit),
    )
    assert not Path(name).exists()
    assert result.ending == "memory" or "STOPPED" in result.stdout, result
    assert still_works(sandbox, workspace)


SCRATCH_WRITE = """
    import sys
    for path in sys.argv[1:]:
        try:
            with open(path, "x") as f:
                f.write("escaped")
            print("WROTE", path)
        except OSError as exc:
            print("DENIED", path, exc.strerror)
"""


def test_world_writable_directories_are_private(attack: Attack, sandbox: Sandbox) -> None:
    """/tmp, /var/tmp, /dev/shm and /run/lock are writable by anyone on the host: a candidate
    writing there must write into a private copy that ends with the run."""
    tag = uuid.uuid4().hex[:8]
    targets = [
        Path(d) / f"perfsmith-escape-{tag}" for d in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")
    ]
    result = attack(SCRATCH_WRITE, *map(str, targets))
    try:
        assert result.ok, result
        assert [p for p in targets if p.exists()] == []
    finally:
        for path in targets:
            path.unlink(missing_ok=True)
    assert "WROTE /tmp/" in result.stdout  # /tmp stays usable: it is private, not absent


MANY_FILES = """
    import sys, time
    cap, size = int(sys.argv[1]), int(sys.argv[2])
    written = 0
    while written < cap:  # the safety cap if containment fails
        with open(f"fill-{written // size}.bin", "wb") as f:
            f.write(b"x" * size)
        written += size
    print("WROTE", written, flush=True)
    time.sleep(20)  # the quota must end the run, not the script
"""


def test_many_small_files_stop_at_the_disk_quota(
    attack: Attack, backend: str, workspace: Path, outside: Path
) -> None:
    quota, per_file = 32 * MiB, 4 * MiB
    before = fingerprint(outside)
    result = attack(
        MANY_FILES,
        str(4 * quota),
        str(per_file),
        limits=Limits(wall_seconds=30, file_size_bytes=2 * per_file, disk_bytes=quota),
    )
    assert result.ending == "disk" and result.wall_seconds < 10, result
    assert "disk quota of 32 MiB" in result.stderr.splitlines()[-1]
    assert result.describe() == "went over the workspace disk quota"
    # Left for the caller, who owns the workspace, to clean; nothing outside it was touched.
    assert list(workspace.glob("fill-*.bin"))
    assert fingerprint(outside) == before


TAMPER = """
    import os, sys
    for path in sys.argv[1:]:
        try:
            open(path, "ab").close()  # opening for append proves it; nothing is written
            print("WRITABLE", path)
        except OSError as exc:
            print("DENIED", path, exc.strerror)
        planted = os.path.join(os.path.dirname(path), "perfsmith_planted.py")
        try:
            open(planted, "x").close()
            print("CREATED", planted)
        except OSError as exc:
            print("DENIED", planted, exc.strerror)
"""


def test_perfsmiths_install_cannot_be_modified(
    attack: Attack, sandbox: Sandbox, workspace: Path
) -> None:
    targets = [Path(sandbox_package.__file__), Path(pytest.__file__), Path(os.__file__)]
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in targets}
    result = attack(TAMPER, *map(str, targets))
    planted = [p.with_name("perfsmith_planted.py") for p in targets]
    try:
        assert "WRITABLE" not in result.stdout and "CREATED" not in result.stdout, result.stdout
        assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in targets} == before
    finally:
        for path in planted:
            path.unlink(missing_ok=True)
    assert result.stdout.count("DENIED") == 2 * len(targets)


PRIVILEGES = """
    import os, subprocess
    caps = dict(line.split(":\\t") for line in open("/proc/self/status") if line.startswith("Cap"))
    print("UID", os.getuid(), "CAPEFF", caps["CapEff"].strip())
    try:
        os.setuid(0)
        print("BECAME ROOT")
    except OSError as exc:
        print("SETUID DENIED", exc.strerror)
    os.makedirs("mnt", exist_ok=True)
    mount = subprocess.run(["mount", "-t", "tmpfs", "none", "mnt"], capture_output=True)
    print("MOUNT", mount.returncode)
"""


@pytest.mark.skipif(
    os.geteuid() != 0, reason="checks the privilege drop, which only happens for root"
)
def test_candidates_hold_no_privileges(attack: Attack, sandbox: Sandbox, workspace: Path) -> None:
    result = attack(PRIVILEGES)
    assert result.ok, result
    uid = int(result.stdout.split()[1])
    assert uid != 0 and "CAPEFF 0000000000000000" in result.stdout
    assert "SETUID DENIED" in result.stdout and "MOUNT 0" not in result.stdout


KERNEL_SURFACE = """
    import ctypes, os, platform, subprocess, threading
    libc = ctypes.CDLL(None, use_errno=True)
    numbers = {"x86_64": {"bpf": 321, "keyctl": 250, "io_uring_setup": 425},
               "aarch64": {"bpf": 280, "keyctl": 219, "io_uring_setup": 425}}[platform.machine()]
    def report(name, rc):
        print(name, "ALLOWED" if rc >= 0 else "DENIED", os.strerror(ctypes.get_errno()))
    report("userns", libc.unshare(0x10000000))  # CLONE_NEWUSER
    params = ctypes.create_string_buffer(120)
    report("io_uring", libc.syscall(numbers["io_uring_setup"], 1, params))
    report("bpf", libc.syscall(numbers["bpf"], 0, ctypes.create_string_buffer(64), 64))
    report("keyctl", libc.syscall(numbers["keyctl"], 0, -3, 0))  # get this session's keyring
    worker = threading.Thread(target=print, args=("THREADS WORK",))
    worker.start(); worker.join()
    print("SUBPROCESS", subprocess.run(["true"]).returncode)
"""


def test_kernel_attack_surface_is_filtered(
    attack: Attack, backend: str, request: pytest.FixtureRequest
) -> None:
    """New user namespaces, io_uring, bpf and keyrings are how unprivileged code reaches
    kernel bugs; seccomp denies them while threads and processes keep working."""
    if os.uname().machine not in ("x86_64", "aarch64"):
        pytest.skip("system call numbers are listed for x86_64 and aarch64 only")
    if backend == "local-unshare":
        request.applymarker(
            pytest.mark.xfail(reason="unshare mode installs no seccomp filter", strict=False)
        )
    if backend == "docker":
        # Debian's docker.io (20.10) default seccomp profile lets io_uring_setup through; the
        # backend does not ship a profile of its own (docs/security.md, row 12).
        request.applymarker(
            pytest.mark.xfail(reason="the engine's default profile allows io_uring", strict=False)
        )
    result = attack(KERNEL_SURFACE)
    assert result.ok and "THREADS WORK" in result.stdout and "SUBPROCESS 0" in result.stdout
    assert "ALLOWED" not in result.stdout, result.stdout
