"""Server-side figures from /proc (no psutil): CPU time and RSS of a process tree."""

import os
import threading
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None  # the process went away between listing and reading
    # The command name is in parentheses and may hold spaces: split after the last ")".
    return text[text.rindex(")") + 2 :].split()


def process_tree(root: int) -> list[int]:
    """`root` and all its descendants (gunicorn master and workers)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields:
                parents.setdefault(int(fields[1]), []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(parents.get(pid, []))
    return sorted(tree)


def cpu_seconds(root: int) -> dict[int, float]:
    """user+sys CPU seconds of every live process in the tree, by pid."""
    result = {}
    for pid in process_tree(root):
        fields = _stat_fields(pid)
        if fields:
            # Fields 14 and 15 of /proc/<pid>/stat (utime, stime), counted after the ")".
            result[pid] = (int(fields[11]) + int(fields[12])) / TICKS
    return result


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> tuple[float, bool]:
    """CPU seconds spent between two samples, and whether the set of processes was stable
    (a worker restarted in between would make the delta wrong)."""
    stable = set(before) == set(after)
    return sum(after[pid] - before.get(pid, 0.0) for pid in after), stable


def _status_kb(pid: int, key: str, file: str = "status") -> int:
    try:
        for line in Path(f"/proc/{pid}/{file}").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemorySampler(threading.Thread):
    """Sample the tree's VmRSS every `interval` seconds and keep the peaks; Pss (shared pages
    counted once, so forked workers are not double-counted) every tenth sample."""

    def __init__(self, root: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.peak_tree_kb = self.peak_process_kb = self.peak_pss_kb = self.samples = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        """Sample until stopped."""
        pids = process_tree(self.root)
        while not self._stop_event.is_set():
            if self.samples % 20 == 0:
                pids = process_tree(self.root)  # scanning /proc is dear; workers live long
            rss = [_status_kb(pid, "VmRSS:") for pid in pids]
            self.peak_tree_kb = max(self.peak_tree_kb, sum(rss))
            self.peak_process_kb = max(self.peak_process_kb, max(rss, default=0))
            if self.samples % 10 == 0:
                pss = sum(_status_kb(pid, "Pss:", "smaps_rollup") for pid in pids)
                self.peak_pss_kb = max(self.peak_pss_kb, pss)
            self.samples += 1
            self._stop_event.wait(self.interval)

    def stop(self) -> dict:
        """Stop sampling and return the peaks in MB."""
        self._stop_event.set()
        self.join(timeout=5)
        return {
            "peak_rss_tree_mb": round(self.peak_tree_kb / 1024, 1),
            "peak_rss_process_mb": round(self.peak_process_kb / 1024, 1),
            "peak_pss_tree_mb": round(self.peak_pss_kb / 1024, 1),
            "samples": self.samples,
        }
