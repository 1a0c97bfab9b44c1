"""The ingest benchmark's verdicts and its compact text table."""

# The targets for Faultline, measured beside the trivial endpoint in the same run.
MIN_RATE_RATIO = 0.5
MAX_P99_MS = 50.0
MAX_CPU_MS_PER_EVENT = 1.5
MAX_PEAK_RSS_MB = 150.0
# Against Bugsink fed the same Sentry envelopes (--endpoint envelope): per stored event.
MIN_BUGSINK_RATE_RATIO = 10.0
MAX_BUGSINK_CPU_RATIO = 0.1


def targets(result: dict) -> dict:
    """Each target (and the two storage checks) with its value, limit and verdict."""
    fl, tr, storage = result["faultline"], result["trivial"], result["storage"]
    # Envelopes: stored events per second (the span runs until every acknowledged event is
    # stored) against the trivial endpoint's answers per second.
    ratio = fl.get("stored_rate", fl["rate"]) / tr["rate"] if tr["rate"] else 0.0
    # Per stored event: the measured phase stores exactly what it acknowledged (checked below).
    cpu_per_event = fl.get(
        "cpu_ms_per_stored_event", fl["server_cpu_s"] * 1000 / max(1, fl["accepted"])
    )
    verdicts = {
        "rate_ratio": _verdict(ratio, f">= {MIN_RATE_RATIO}", ratio >= MIN_RATE_RATIO),
        "p99_ms": _verdict(fl["p99_ms"], f"< {MAX_P99_MS}", fl["p99_ms"] < MAX_P99_MS),
        "cpu_ms_per_event": _verdict(
            cpu_per_event, f"<= {MAX_CPU_MS_PER_EVENT}", cpu_per_event <= MAX_CPU_MS_PER_EVENT
        ),
        "peak_rss_tree_mb": _verdict(
            fl["peak_rss_tree_mb"], f"< {MAX_PEAK_RSS_MB}", fl["peak_rss_tree_mb"] < MAX_PEAK_RSS_MB
        ),
        "stored_equals_acknowledged": _verdict(
            storage["stored_events"], f"== {storage['acknowledged']}", storage["events_match"]
        ),
    }
    if "groups" in storage:  # exceptions only: hits have no groups
        verdicts["groups"] = _verdict(
            storage["groups"],
            f"== {storage['expected_groups']}",
            storage["groups"] == storage["expected_groups"],
        )
    sink = result.get("bugsink")
    if sink:
        rate_x = (
            fl.get("stored_rate", fl["rate"]) / sink["stored_rate"] if sink["stored_rate"] else 0.0
        )
        cpu_x = (
            cpu_per_event / sink["cpu_ms_per_stored_event"]
            if sink["cpu_ms_per_stored_event"]
            else 0.0
        )
        verdicts["bugsink_stored_rate_x"] = _verdict(
            rate_x, f">= {MIN_BUGSINK_RATE_RATIO:g}", rate_x >= MIN_BUGSINK_RATE_RATIO
        )
        verdicts["bugsink_cpu_per_event_x"] = _verdict(
            cpu_x, f"<= {MAX_BUGSINK_CPU_RATIO:g}", 0 < cpu_x <= MAX_BUGSINK_CPU_RATIO
        )
        verdicts["bugsink_stored_all"] = _verdict(
            sink["stored_in_phase"],
            f"== {sink['accepted']}",
            sink["drained"] and sink["stored_in_phase"] == sink["accepted"],
        )
    return verdicts


def _verdict(value: float, limit: str, passed: bool) -> dict:
    return {"value": round(value, 3), "limit": limit, "pass": bool(passed)}


def print_table(result: dict) -> None:
    """Both servers side by side, then the verdicts; trouble is shouted, not buried."""
    setup = result["setup"]
    print(
        f"\ningest benchmark, {setup.get('endpoint', '/track/exception')}: "
        f"{setup['count']} requests (+{setup['warmup']} warm-up) at "
        f"concurrency {setup['concurrency']}, gthread {setup['workers']} workers x "
        f"{setup['threads']} threads, {setup['cpus']} CPUs, Python {setup['python']}\n"
    )
    rows = (
        ("accepted/s", "rate", "{:.0f}"),
        ("p50 ms", "p50_ms", "{:.2f}"),
        ("p99 ms", "p99_ms", "{:.2f}"),
        ("server CPU ms/request", "cpu_ms_per_request", "{:.3f}"),
        ("peak RSS MB (tree)", "peak_rss_tree_mb", "{:.1f}"),
        ("peak RSS MB (1 process)", "peak_rss_process_mb", "{:.1f}"),
        ("peak PSS MB (tree)", "peak_pss_tree_mb", "{:.1f}"),
        ("load generator CPU s", "client_cpu_s", "{:.2f}"),
    )
    if "stored_rate" in result["faultline"]:
        rows = (("stored events/s", "stored_rate", "{:.0f}"), *rows)
    print(f"{'':26}{'trivial':>12}{'faultline':>12}")
    for label, key, fmt in rows:
        cells = "".join(
            f"{fmt.format(result[name][key]) if key in result[name] else '-':>12}"
            for name in ("trivial", "faultline")
        )
        print(f"{label:26}{cells}")
    for name in ("trivial", "faultline"):
        figures = result[name]
        other = {k: v for k, v in figures["statuses"].items() if not k.startswith("2")}
        if other or figures["timed_out"] or not figures["process_set_stable"]:
            print(
                f"!! {name}: non-2xx {other}, timed out {figures['timed_out']}, "
                f"process set stable {figures['process_set_stable']}"
            )
        if figures["log_tracebacks"]:
            print(f"!! {name}: {figures['log_tracebacks']} tracebacks in the server log")
        if figures.get("drained") is False:
            print(
                f"!! {name}: only {figures['stored_in_phase']} of {figures['accepted']} "
                "acknowledged events were stored when waiting gave up"
            )
    if "bugsink" in result:
        _print_bugsink(result)
    print()
    for name, verdict in result["targets"].items():
        mark = "PASS" if verdict["pass"] else "FAIL"
        print(f"  {mark}  {name:28}{verdict['value']:>10}  (target {verdict['limit']})")
    storage = result["storage"]
    if "groups" in storage and storage["groups"] != storage["expected_groups"]:
        print(
            f"\n!!!! {storage['groups']} groups for {storage['expected_groups']} distinct bugs: "
            "the fingerprint does not normalise these reports well. Groups (count, title, basis):"
        )
        for count, title, basis in storage["group_sample"]:
            print(f"     {count:6}  {title[:60]:60}  {basis}")


def _print_bugsink(result: dict) -> None:
    """Faultline and Bugsink per stored event, each measured until its last event was stored."""
    fl, sink, setup = result["faultline"], result["bugsink"], result["setup"]
    print(
        f"\nagainst {sink['version']} (gunicorn {setup['bugsink_workers']} sync workers + snappea, "
        f"SQLite): {setup['bugsink_count']} envelopes (+{setup['bugsink_warmup']} warm-up), "
        "each measured from the first request until its last event is stored\n"
    )
    rows = (
        ("stored events/s", "stored_rate", "{:.1f}"),
        ("server CPU ms/stored event", "cpu_ms_per_stored_event", "{:.3f}"),
        ("accepted/s (HTTP)", "rate", "{:.0f}"),
        ("p50 ms", "p50_ms", "{:.2f}"),
        ("p99 ms", "p99_ms", "{:.2f}"),
        ("stored (measured phase)", "stored_in_phase", "{}"),
        ("wall s to last stored", "stored_wall_s", "{:.2f}"),
        ("peak RSS MB (tree)", "peak_rss_tree_mb", "{:.1f}"),
        ("peak PSS MB (tree)", "peak_pss_tree_mb", "{:.1f}"),
    )
    print(f"{'':26}{'faultline':>12}{'bugsink':>12}")
    for label, key, fmt in rows:
        cells = "".join(
            f"{fmt.format(figures[key]) if key in figures else '-':>12}" for figures in (fl, sink)
        )
        print(f"{label:26}{cells}")
    groups = result["storage"].get("groups")
    print(f"{'groups / issues':26}{groups if groups is not None else '-':>12}{sink['issues']:>12}")
    other = {k: v for k, v in sink["statuses"].items() if not k.startswith("2")}
    if other or sink["timed_out"] or not sink["drained"] or not sink["process_set_stable"]:
        print(
            f"!! bugsink: non-2xx {other}, timed out {sink['timed_out']}, digest queue drained "
            f"{sink['drained']} ({sink['tasks_left']} tasks left), process set stable "
            f"{sink['process_set_stable']}"
        )
    if sink["log_tracebacks"]:
        print(f"!! bugsink: {sink['log_tracebacks']} tracebacks in its logs")
