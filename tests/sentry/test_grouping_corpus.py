"""The labelled grouping corpus: every captured event replayed once, Faultline's groups
scored against the bug labels with B-cubed precision, recall and F1 (printed)."""

from collections import Counter, defaultdict

import pytest

from tests.sentry.corpus import FILES, LABELS, captured_event, name_of, replay


def bcubed(labels: dict[str, str], clusters: dict[str, object]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of `clusters` (item -> cluster) against `labels`."""
    pairs = Counter((clusters[item], labels[item]) for item in labels)
    sizes = Counter(clusters[item] for item in labels)
    classes = Counter(labels.values())
    precision = recall = 0.0
    for item, label in labels.items():
        shared = pairs[(clusters[item], label)]
        precision += shared / sizes[clusters[item]]
        recall += shared / classes[label]
    precision, recall = precision / len(labels), recall / len(labels)
    return precision, recall, 2 * precision * recall / (precision + recall)


def test_bcubed_scores_a_known_clustering():
    """Two of three 'a' items together, the 'b' item with them: P 5/8, R 2/3 (by hand)."""
    labels = {"1": "a", "2": "a", "3": "a", "4": "b"}
    precision, recall, _ = bcubed(labels, {"1": 1, "2": 1, "3": 2, "4": 1})
    assert precision == pytest.approx((2 / 3 + 2 / 3 + 1 + 1 / 3) / 4)
    assert recall == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1) / 4)
    assert bcubed(labels, {"1": 1, "2": 1, "3": 1, "4": 2}) == (1.0, 1.0, 1.0)


def test_groups_match_the_labelled_bugs(faultline, capsys):
    project = faultline.create_project("grouping")
    labelled = [path for path in FILES if name_of(path) in LABELS]
    event_ids = {}
    for path in labelled:
        status, _, body = replay(faultline.base, project, path)
        assert status == 200, (name_of(path), status, body[:300])
        event_ids[name_of(path)] = captured_event(path)["event_id"]
    stored = faultline.stored(event_ids.values())
    clusters = {name: stored[event_id][0] for name, event_id in event_ids.items()}
    labels = {name: LABELS[name] for name in clusters}
    assert len(clusters) == len(labelled), "some replayed events were not stored"

    parts = {"all": labels}
    for sdk in ("python", "node", "browser"):
        parts[sdk] = {name: label for name, label in labels.items() if name.startswith(sdk + "/")}
    scores = {name: bcubed(part, clusters) for name, part in parts.items()}
    with capsys.disabled():
        for name, (precision, recall, f1) in scores.items():
            print(
                f"\nSentry grouping corpus ({name}, {len(parts[name])} events, "
                f"{len(set(parts[name].values()))} bugs): B-cubed P={precision:.3f} "
                f"R={recall:.3f} F1={f1:.3f}",
                end="",
            )
        print()

    by_group = defaultdict(set)
    by_label = defaultdict(set)
    for name, group in clusters.items():
        by_group[group].add(labels[name])
        by_label[labels[name]].add(group)
    merged = {group: sorted(found) for group, found in by_group.items() if len(found) > 1}
    split = {label: len(groups) for label, groups in by_label.items() if len(groups) > 1}
    assert not merged, f"distinct bugs merged into one group: {merged}"
    assert scores["all"][2] >= 0.95, f"bugs split over several groups: {split}"
