"""The scale bench's targets (issue 14), bench/SCALE.md and the plot."""
import os
from pathlib import Path

MAX_ROWS = 1000
GROWTH = 1.5
WRITE_RATIO = 2.0
FAN_OUT_BOUND_S = 5.0


def get_names(results):
    return list(results["sizes"][0]["gets"])


def checks(results):
    """Every target with its figure and met or not."""
    sizes, found = results["sizes"], []
    smallest, largest = sizes[0], sizes[-1]
    for name in get_names(results):
        rows = [size["gets"][name]["rows"] for size in sizes]
        found.append((f"{name}: rows read <= {MAX_ROWS:,} at every size",
                      " / ".join(f"{r:,.0f}" for r in rows), max(rows) <= MAX_ROWS))
        small, large = smallest["gets"][name]["rows"], largest["gets"][name]["rows"]
        found.append((f"{name}: rows at {largest['boards']:,} boards <= {GROWTH} x rows at "
                      f"{smallest['boards']:,}", f"{large:,.0f} vs {small:,.0f}", large <= GROWTH * small))
    for key, when in (("writes", ""), ("writes_with_worker", ", the worker fanning out")):
        for size in sizes:
            celebrity, ordinary = (size[key][who]["p50_ms"] for who in ("celebrity", "ordinary"))
            followers = size["dataset"]["shape"]["celebrity_followers"]
            found.append((f"POST /boards p50 by the author with {followers:,} followers <= {WRITE_RATIO} x "
                          f"an ordinary author's, {size['boards']:,} boards{when}",
                          f"{celebrity:.2f} ms vs {ordinary:.2f} ms", celebrity <= WRITE_RATIO * ordinary))
    for size in sizes:
        worst = max(max(reached.values()) for reached in size["fan_out"]["celebrity"])
        found.append((f"a new board of the celebrity heads every follower's feed within "
                      f"{FAN_OUT_BOUND_S:.0f} s (worst run), {size['boards']:,} boards",
                      f"{worst:.2f} s", worst <= FAN_OUT_BOUND_S))
    return [{"target": t, "figure": f, "met": m} for t, f, m in found]


def _seconds(values):
    return ", ".join(f"{v:.2f}" for v in values)


def markdown(results, plot_path, results_path):
    m, sizes = results["machine"], results["sizes"]
    s = results["settings"]
    versions = sizes[0]["versions"]
    timing = (f"wrk, 4 connections, {s['seconds']} s per GET" if s["seconds"]
              else f"{s['requests']} sequential requests per GET, one connection")
    out = [
        "# Scale bench results",
        "",
        "Written by `make bench-scale` (`bench/scale.py`); rerun it to refresh this file",
        "and the plot. How it measures: `bench/README.md`, \"Scale mode\".",
        "",
        f"- Date: {results['date']}; the run took {results['elapsed_s']:,.0f} s",
        f"- Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB memory, Linux {m['kernel']}",
        f"- Database server: {results['server_origin']} {versions['server']}"
        + (f" ({' '.join(s['database_options'])})" if s["database_options"] else ""),
        f"- Service: {s['server']}, Python {versions['python']}, Flask {versions['flask']}",
        "- Load average at start / end: " + ", ".join(f"{x:.1f}" for x in results["load_average"]["start"])
        + " / " + ", ".join(f"{x:.1f}" for x in results["load_average"]["end"]),
        f"- rows = the sum of the server's `Handler_read_%` deltas around one request (median of "
        f"{s['samples']}); p50, p99, req/s: {timing}",
        "",
        "## Datasets",
        "",
        "| boards | users | comments on the hot board | celebrity's followers | seeded in | of which feeds |",
        "|---|---|---|---|---|---|",
    ]
    for size in sizes:
        shape, seconds = size["dataset"]["shape"], size["dataset"]["seed_seconds"]
        out.append(f"| {size['boards']:,} | {shape['users']:,} | {shape['hot_comments']:,} | "
                   f"{shape['celebrity_followers']:,} | {sum(seconds.values()):.1f} s | {seconds['feeds']:.1f} s |")
    out += ["", "## GET: rows read, p50 / p99 ms, req/s", "",
            "| endpoint | " + " | ".join(f"{size['boards']:,} boards" for size in sizes) + " |",
            "|---|" + "---|" * len(sizes)]
    for name in get_names(results):
        cells = [f"{g['rows']:,.0f} rows, {g['p50_ms']:.1f} / {g['p99_ms']:.1f} ms, {g['rps']:,.0f}/s"
                 for g in (size["gets"][name] for size in sizes)]
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    out += ["", f"## POST /boards (sequential, taking turns, {s['posts']} each, worker stopped)", "",
            "| boards | celebrity p50 / p99 ms | ordinary author p50 / p99 ms |", "|---|---|---|"]
    for size in sizes:
        c, o = size["writes"]["celebrity"], size["writes"]["ordinary"]
        out.append(f"| {size['boards']:,} | {c['p50_ms']:.2f} / {c['p99_ms']:.2f} | "
                   f"{o['p50_ms']:.2f} / {o['p99_ms']:.2f} |")
    out += ["", f"## POST /boards while the worker fans out ({s['busy_posts']} each, taking turns)", "",
            "| boards | celebrity p50 / p99 ms | ordinary author p50 / p99 ms | outbox empty after | "
            "feed entries/s |", "|---|---|---|---|---|"]
    for size in sizes:
        c, o, drain = size["writes_with_worker"]["celebrity"], size["writes_with_worker"]["ordinary"], size["drain"]
        out.append(f"| {size['boards']:,} | {c['p50_ms']:.2f} / {c['p99_ms']:.2f} | "
                   f"{o['p50_ms']:.2f} / {o['p99_ms']:.2f} | {drain['seconds']:.1f} s from the first POST | "
                   f"{drain['entries'] / drain['seconds']:,.0f} |")
    out += ["", "## A new board into followers' feeds (worker running; seconds from the 201)", "",
            "| boards | celebrity's first follower | celebrity's last follower | ordinary author's follower |",
            "|---|---|---|---|"]
    for size in sizes:
        runs = size["fan_out"]
        out.append(f"| {size['boards']:,} | {_seconds(r['first follower'] for r in runs['celebrity'])} | "
                   f"{_seconds(r['last follower'] for r in runs['celebrity'])} | "
                   f"{_seconds(r['follower'] for r in runs['ordinary'])} |")
    out += ["", "## Targets", ""]
    for check in results["checks"]:
        out.append(f"- {'PASS' if check['met'] else 'FAIL'}: {check['target']} ({check['figure']})")
    out += ["", f"![rows read and p50 against dataset size]({os.path.relpath(Path(plot_path).resolve(), Path(results_path).resolve().parent)})", ""]
    return "\n".join(out)


def plot(results, path):
    """Rows read and p50 against boards, one line per GET, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    sizes = [size["boards"] for size in results["sizes"]]
    figure, (rows_axis, p50_axis) = pyplot.subplots(1, 2, figsize=(13, 5.5))
    for name in get_names(results):
        gets = [size["gets"][name] for size in results["sizes"]]
        rows_axis.plot(sizes, [g["rows"] for g in gets], marker="o", label=name)
        p50_axis.plot(sizes, [g["p50_ms"] for g in gets], marker="o", label=name)
    rows_axis.axhline(MAX_ROWS, color="red", linestyle="--", linewidth=1, label=f"target: {MAX_ROWS:,} rows")
    rows_axis.set(title="Rows read per request", ylabel="rows (Handler_read_% sum)", yscale="log")
    p50_axis.set(title="p50 latency (wrk, 4 connections)", ylabel="ms", ylim=(0, None))
    for axis in (rows_axis, p50_axis):
        axis.set(xscale="log", xlabel="boards in the dataset")
        axis.set_xticks(sizes, [f"{n:,}" for n in sizes])
        axis.set_xticks([], minor=True)
        axis.grid(True, which="major", alpha=0.3)
    handles, labels = rows_axis.get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=3, fontsize="small")
    figure.suptitle(f"GET cost against dataset size, limit 20 ({results['date']})")
    figure.tight_layout(rect=(0, 0.16, 1, 1))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    pyplot.close(figure)
