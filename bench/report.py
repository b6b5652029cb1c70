"""The figures as a table, the issue's targets checked, RESULTS.md."""
import contextlib
import importlib.metadata
import os
import platform
import subprocess
from pathlib import Path

TARGETS = {"page": 0.55, "single": 0.6, "write": 0.5}
DEEP_COST_LIMIT = 1.2
RSS_LIMIT_MB = 80
PROFILE_CHANGES = """\
### What the profiles changed

Three rounds of profiling (pyinstrument of page 1, py-spy of workers under
wrk, instruction counts from `bench/instructions.py`) took the first full
run's ratios from 0.26-0.47 to those above. In short; docs/performance.md
has each finding with its figure:

- Pages: marshmallow's per-field dump became a dump plan per output schema
  (`RowSchema`), and orjson encodes responses (Flask's JSONProvider hook).
- Every request: no cookie session, no flask-limiter hooks (failed logins
  use `limits` directly), one PyJWT decode per token instead of
  flask-jwt-extended's four with verified claims kept per process, the
  security headers in one call (Cross-Origin-Opener-Policy on HTML only),
  the hot paths reading `request`/`g`/the app without their proxies,
  cheaper request ids and access-line timestamps.
- Writes: 2 statements instead of 3 (the 201 is built from what was
  written); the body parsed once instead of twice; `Location` without
  `url_for`. The feed: 1 statement instead of 2.
- The bench: a round counts only when wrk's connections are spread evenly
  over the workers; the ratio is the median of per-round ratios.
"""


def versions(conn):
    def version_of(name):
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "?"

    with conn.cursor() as cursor:
        cursor.execute("SELECT VERSION()")
        (server_version,) = cursor.fetchone()
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split()
    found = {"python": platform.python_version(), "server": server_version,
             "wrk": wrk[1] if len(wrk) > 1 else "?"}
    for name in ("flask", "flask-smorest", "marshmallow", "webargs", "flask-mysqldb",
                 "mysqlclient", "aiosql", "flask-jwt-extended", "pyjwt", "orjson", "granian", "gunicorn",
                 "pyinstrument"):
        found[name] = version_of(name)
    return found


def machine():
    model = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory_kb = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    return {"cores": os.cpu_count(), "cpu": model, "memory_gib": round(memory_kb / 1024**2, 1),
            "kernel": platform.release()}


def checks(results):
    """The issue's targets, each with its figure and met or not."""
    found = []
    for row in results["endpoints"]:
        target = TARGETS[row["kind"]]
        found.append((f"{row['name']}: req/s ratio to the reference >= {target}",
                      f"{row['ratio']:.2f}", row["ratio"] >= target))
    for row in results["endpoints"]:
        if row["method"] != "GET":
            continue
        limit = 2 if row["as_caller"] else 1
        statements = row["service"]["statements"]
        found.append((f"{row['name']}: SQL statements per request <= {limit}",
                      f"{statements:.2f}", statements <= limit + 0.01))
    worst = max(row["service"]["connections"] for row in results["endpoints"])
    found.append(("new MySQL connections per request = 0 (steady state, every endpoint)",
                  f"max {worst:.2f}", worst <= 0.001))
    for row in results["endpoints"]:
        if row["deep_of"]:
            cost = row["deep_cost"]
            found.append((f"{row['name']} costs <= {DEEP_COST_LIMIT} x page 1 (median over the "
                          "rounds of service req/s of page 1, run next to it, / req/s of this page)",
                          f"{cost:.2f}", cost <= DEEP_COST_LIMIT))
    rss = results["rss_mb"]["service"]
    found.append((f"service worker RSS < {RSS_LIMIT_MB} MB after the run",
                  ", ".join(f"{mb:.1f}" for mb in rss), bool(rss) and max(rss) < RSS_LIMIT_MB))
    return [{"target": t, "figure": f, "met": m} for t, f, m in found]


def text_table(results):
    head = ("endpoint", "target", "svc req/s", "ref req/s", "ratio", "svc p50/p99 ms",
            "ref p50/p99 ms", "SQL/req svc / ref", "conn/req svc / ref", "errors svc / ref")
    lines = [head]
    for row in results["endpoints"]:
        s, r = row["service"], row["reference"]
        lines.append((
            row["name"], f"{TARGETS[row['kind']]:.2f}", f"{s['rps']:.0f}", f"{r['rps']:.0f}",
            f"{row['ratio']:.2f}", f"{s['p50_ms']:.2f}/{s['p99_ms']:.2f}",
            f"{r['p50_ms']:.2f}/{r['p99_ms']:.2f}", f"{s['statements']:.2f} / {r['statements']:.2f}",
            f"{s['connections']:.2f} / {r['connections']:.2f}", f"{s['errors']} / {r['errors']}",
        ))
    return lines


def markdown(results):
    m, v, d, load = results["machine"], results["versions"], results["dataset"], results["load"]
    sizes = d["sizes"]
    out = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`bench/run.py`); rerun it to refresh this file. How it",
        "measures and what the figures mean: `bench/README.md`.",
        "",
        f"- Date: {results['date']}",
        f"- Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB memory, Linux {m['kernel']}",
        "- Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()),
        f"- Database server: {results['server_origin']}",
        "- Machine load average (1, 5, 15 min) at start: "
        + ", ".join(f"{x:.1f}" for x in results["load_average"]["start"]) + "; before the profile: "
        + ", ".join(f"{x:.1f}" for x in results["load_average"]["end"])
        + " (other work on the machine shifts absolute figures; ratios are of the same moments)",
        f"- Dataset: {sizes['users']:,} users, {sizes['boards']:,} boards, {sizes['comments']:,} "
        f"comments, {sizes['follows']:,} follows (user {d['user_id']} follows {sizes['followed']})",
        f"- Load: wrk, {load['connections']} connections, 1 thread, {load['rounds']} round(s) of "
        f"{load['seconds']} s per endpoint and app, service and reference back to back in each "
        f"round, alternating which goes first; both under {load['server']}; "
        "a round counts only with wrk's connections spread evenly over the workers "
        "(wrk restarted until they are; see bench/README.md)",
        "- ratio: the median over the rounds of (service req/s / reference req/s) of the same "
        "round; req/s: all requests / all time; p50: mean of the rounds; p99: worst round",
        f"- Counters: SHOW GLOBAL STATUS deltas (Questions, Connections, Com_admin_commands = "
        f"pings) around {load['count_requests']} sequential requests, after as many unmeasured ones",
        f"- Rows written by the POST runs and deleted afterwards: {results['rows_deleted']:,}",
        "",
        "## Results",
        "",
    ]
    table = text_table(results)
    out.append("| " + " | ".join(table[0]) + " |")
    out.append("|" + "---|" * len(table[0]))
    out.extend("| " + " | ".join(cells) + " |" for cells in table[1:])
    out += ["", "Pings per request (service | reference): " + ", ".join(
        f"{row['name']} {row['service']['pings']:.2f} | {row['reference']['pings']:.2f}"
        for row in results["endpoints"]) + "."]
    out += ["", "Service req/s per round: " + "; ".join(
        f"{row['name']} " + " / ".join(f"{x:.0f}" for x in row["service"]["rounds_rps"])
        for row in results["endpoints"]) + "."]
    out += ["", "Reference req/s per round: " + "; ".join(
        f"{row['name']} " + " / ".join(f"{x:.0f}" for x in row["reference"]["rounds_rps"])
        for row in results["endpoints"]) + "."]
    out += ["", "wrk restarts for an uneven spread of its connections over the workers, and rounds "
            "measured uneven after all (service | reference): " + "; ".join(
                f"{row['name']} {row['service']['wrk_restarts']}, {row['service']['uneven_rounds']} | "
                f"{row['reference']['wrk_restarts']}, {row['reference']['uneven_rounds']}"
                for row in results["endpoints"]) + "."]
    rss = results["rss_mb"]
    out += ["", "Worker RSS after the run (VmRSS, MB): service "
            + ", ".join(f"{x:.1f}" for x in rss["service"]) + "; reference "
            + ", ".join(f"{x:.1f}" for x in rss["reference"]) + ".", "", "## Targets", ""]
    out += [f"- [{'x' if c['met'] else ' '}] {c['target']}: **{c['figure']}**"
            + ("" if c["met"] else " (missed)") for c in results["checks"]]
    profile = results.get("profile")
    if profile:
        out += [
            "", "## Profile: GET /boards page 1", "",
            f"In-process, Flask test client against the seeded database, pyinstrument, "
            f"{profile['requests']:,} requests. Without the profiler a request takes "
            f"{profile['plain_us_per_request']:.0f} µs through the test client; under it, "
            f"{profile['profiled_app_us_per_request']:.0f} µs inside `Flask.wsgi_app` "
            "(the split below is of that time). "
            + (f"The whole call tree is in `{profile['tree_path']}`." if profile.get("tree_path")
               else "`bench/run.py --profile-out PATH` writes the whole call tree."),
            "", "| part | µs/request | share |", "|---|---|---|",
        ]
        out += [f"| {p['part']} | {p['us']:.0f} | {p['share']:.0%} |" for p in profile["parts"]]
        out += ["", PROFILE_CHANGES.rstrip()]
    return "\n".join(out) + "\n"


def print_table(results):
    table = text_table(results)
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)))
    rss = results["rss_mb"]
    print(f"worker RSS MB: service {[round(x, 1) for x in rss['service']]}, "
          f"reference {[round(x, 1) for x in rss['reference']]}")
    for check in results["checks"]:
        print(f"[{'met' if check['met'] else 'MISSED'}] {check['target']}: {check['figure']}")
    if results.get("profile"):
        print("profile of GET /boards page 1 (µs/request):")
        for part in results["profile"]["parts"]:
            print(f"  {part['us']:7.0f}  {part['share']:4.0%}  {part['part']}")
