"""A seccomp filter for bwrap mode: system calls that no test, workload or profiler needs and
that widen the kernel's attack surface fail with EPERM (docs/security.md lists them).

The program is compiled by the system's libseccomp (Debian's libseccomp2, which systemd
already needs) through ctypes, so no Python package is added; where the library is missing,
bwrap runs without a filter (docs/security.md says what is lost). bwrap reads the program from a
file descriptor (`--seccomp FD`) and installs it just before it execs the command.

ptrace and process_vm_readv stay allowed: py-spy profiles its child inside the sandbox with
them, and in a private PID namespace as nobody they reach only the candidate's own processes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
from functools import cache

DENIED = (
    # namespaces and mounts: the way to kernel code an unprivileged user cannot otherwise reach
    "unshare",
    "setns",
    "mount",
    "umount2",
    "pivot_root",
    "open_by_handle_at",  # reads files by handle, past any mount (the "shocker" escape)
    # kernel interfaces with a long record of exploits
    "bpf",
    "userfaultfd",
    "perf_event_open",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "keyctl",
    "add_key",
    "request_key",
    # host administration
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "reboot",
    "swapon",
    "swapoff",
    "acct",
    "syslog",
)
_ACT_ALLOW = 0x7FFF0000
_ACT_ERRNO = 0x00050000
_CMP_MASKED_EQ = 7
_CLONE_NEWUSER = 0x10000000
_RESOLVE_FAILED = -1  # __NR_SCMP_ERROR: no such call on this architecture


class _ArgCmp(ctypes.Structure):
    """struct scmp_arg_cmp"""

    _fields_ = [
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    ]


@cache
def program() -> bytes | None:
    """The compiled classic-BPF program, or None without libseccomp."""
    name = ctypes.util.find_library("seccomp")
    if name is None:
        return None
    lib = ctypes.CDLL(name)
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [
        ctypes.c_void_p,
        ctypes.c_uint32,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.POINTER(_ArgCmp),
    ]
    lib.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    ctx = lib.seccomp_init(_ACT_ALLOW)
    if not ctx:
        raise OSError("seccomp_init failed")
    try:

        def deny(call: str, code: int, *args: _ArgCmp) -> None:
            number = lib.seccomp_syscall_resolve_name(call.encode())
            if number == _RESOLVE_FAILED:
                return  # not a call on this architecture
            array = (_ArgCmp * len(args))(*args) if args else None
            rc = lib.seccomp_rule_add_array(ctx, _ACT_ERRNO | code, number, len(args), array)
            if rc != 0:
                raise OSError(-rc, f"seccomp rule for {call}: {os.strerror(-rc)}")

        for call in DENIED:
            deny(call, errno.EPERM)
        # New user namespaces through clone too. clone3 passes its flags in memory a filter
        # cannot read, so it answers ENOSYS, on which the C library falls back to clone.
        deny("clone", errno.EPERM, _ArgCmp(0, _CMP_MASKED_EQ, _CLONE_NEWUSER, _CLONE_NEWUSER))
        deny("clone3", errno.ENOSYS)
        fd = os.memfd_create("perfsmith-seccomp")
        try:
            rc = lib.seccomp_export_bpf(ctx, fd)
            if rc != 0:
                raise OSError(-rc, f"seccomp_export_bpf: {os.strerror(-rc)}")
            os.lseek(fd, 0, os.SEEK_SET)
            return _read_all(fd)
        finally:
            os.close(fd)
    finally:
        lib.seccomp_release(ctx)


def program_fd(bpf: bytes) -> int:
    """A fresh descriptor bwrap can read the program from (it reads to the end); the caller
    passes it to the child and closes it after the start."""
    fd = os.memfd_create("perfsmith-seccomp")
    os.write(fd, bpf)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)
