"""What the bench reads of its processes in /proc: memory, and which
process holds each accepted connection."""
import contextlib
import os
from pathlib import Path


def rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return None


def clients_per_process(pids, port):
    """How many established client connections to `port` each process holds
    (accepted sockets: /proc/net/tcp's inodes matched to the processes' fds)."""
    local_port = f"{port:04X}"
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if fields[1].rsplit(":", 1)[1] == local_port and fields[3] == "01":  # ESTABLISHED
                    inodes.add(fields[9])
    counts = {}
    for pid in pids:
        held = 0
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    link = os.readlink(fd)
                    if link.startswith("socket:[") and link[8:-1] in inodes:
                        held += 1
        counts[pid] = held
    return counts
