"""Runs inside the sandbox container for every `docker exec`, as the unprivileged user.

`docker exec` can neither set rlimits per run nor report what the process cost, and the warm
container outlives each run, so a small supervisor does both: it starts `/bin/sh -c CMD` under
the run's rlimits, waits for it, kills every other process of the sandbox user (daemons the
command left behind must not run on into the next run), and writes one report line to stderr.

The report is the last thing on stderr, after everything else of that user is dead. The
supervisor is not dumpable, so the command cannot ptrace it; it can kill it, and then the exec's
exit status is not 0: the host treats that as a killed run and replaces the container.

Stdlib only: started as `python -I -S -c SOURCE LIMITS_JSON CMD`.
"""

import contextlib
import ctypes
import json
import os
import resource
import sys
import time

MARKER = "perfsmith-runner-report "
OOM_FILES = ("/sys/fs/cgroup/memory/memory.oom_control", "/sys/fs/cgroup/memory.events")
SWEEP_SECONDS = 5.0


def oom_kills() -> int:
    """The container cgroup's OOM-kill count (cgroup v1 or v2 layout), 0 when unreadable."""
    for path in OOM_FILES:
        try:
            with open(path) as handle:
                for line in handle:
                    key, _, value = line.partition(" ")
                    if key == "oom_kill":
                        return int(value)
        except FileNotFoundError:
            continue
    return 0


def start(cmd: str, limits: dict[str, int]) -> int:
    pid = os.fork()
    if pid == 0:
        try:
            set_dumpable(1)  # else our /proc files stay root's and the write below fails
            for name, value in limits.items():
                resource.setrlimit(getattr(resource, name), (value, value))
            # Raising one's own OOM score needs no privilege: when the container runs out of
            # memory, the kernel picks the command rather than this supervisor.
            with open("/proc/self/oom_score_adj", "w") as handle:
                handle.write("1000")
            os.execv("/bin/sh", ["/bin/sh", "-c", cmd])
        except BaseException as exc:
            os.write(2, f"perfsmith runner: cannot start the command: {exc!r}\n".encode())
        finally:
            os._exit(127)
    return pid


def survivors() -> list[int]:
    """Live processes of our real uid other than us. /proc/PID/status shows the real uid even
    for processes that made themselves non-dumpable (their /proc entries then belong to root)."""
    me, uid, found = os.getpid(), str(os.getuid()), []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == me:
            continue
        try:
            with open(f"/proc/{name}/status") as handle:
                fields = dict(line.split(":", 1) for line in handle if ":" in line)
        except (FileNotFoundError, ProcessLookupError):
            continue  # exited while we looked
        if fields["Uid"].split()[0] == uid and not fields["State"].strip().startswith("Z"):
            found.append(int(name))
    return found


def sweep() -> None:
    """SIGKILL every process of this user but us, until none is left. kill(-1) reaches them
    all at once (it skips the caller and pid 1), but it also reports success when it only met
    processes it may not signal, so the check is a scan of /proc."""
    deadline = time.monotonic() + SWEEP_SECONDS
    while survivors():
        if time.monotonic() > deadline:
            raise RuntimeError("processes of the sandbox user survived SIGKILL")
        with contextlib.suppress(ProcessLookupError):  # raced with their exit: scan again
            os.kill(-1, 9)
        time.sleep(0.001)


def set_dumpable(value: int) -> None:
    """Non-dumpable, processes of the same user can no longer ptrace us or read our memory, so
    the command cannot make us write a forged report (killing us is all it can do)."""
    pr_set_dumpable = 4
    if ctypes.CDLL(None, use_errno=True).prctl(pr_set_dumpable, value) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE) failed")


def main() -> None:
    limits, cmd = json.loads(sys.argv[1]), sys.argv[2]
    set_dumpable(0)
    before = oom_kills()
    pid = start(cmd, limits)
    _, status, usage = os.wait4(pid, 0)
    sweep()
    report = {
        "status": status,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_memory_bytes": usage.ru_maxrss * 1024,
        "oom_kills": oom_kills() - before,
    }
    sys.stderr.write("\n" + MARKER + json.dumps(report) + "\n")
    sys.stderr.flush()


if __name__ == "__main__":
    main()
