"""PROMETHEUS_MULTIPROC_DIR for a server's worker processes (metrics.py):
set before the workers import prometheus-client, and emptied at each start,
since files left by an earlier run would add its counts to this one's."""
import shutil
import tempfile
from pathlib import Path


def prepare_metrics_dir(env):
    """With METRICS_TOKEN in `env`: PROMETHEUS_MULTIPROC_DIR in `env`, a new
    temporary directory unless one is given, emptied. Returns the directory
    made here (for remove_metrics_dir), or None."""
    if not env.get("METRICS_TOKEN"):
        return None
    given = env.get("PROMETHEUS_MULTIPROC_DIR")
    if given:
        Path(given).mkdir(parents=True, exist_ok=True)
        for leftover in Path(given).glob("*.db"):
            leftover.unlink()
        return None
    made = tempfile.mkdtemp(prefix="boards-metrics-")
    env["PROMETHEUS_MULTIPROC_DIR"] = made
    return made


def remove_metrics_dir(made):
    if made:
        shutil.rmtree(made, ignore_errors=True)
