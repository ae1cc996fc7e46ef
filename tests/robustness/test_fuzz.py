"""Mutation fuzzing (see fuzz.py). CI runs a few hundred cases; `scripts/robustness.sh`
runs 10,000 or more (SASTRE_FUZZ_CASES, spread over the eight formats)."""

from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.train.datasets import DatasetError, read_jsonl
from tests.robustness.fuzz import FuzzStats, fuzz_documents, fuzz_jsonl, fuzz_models

CASES = int(os.environ.get("SASTRE_FUZZ_CASES", 320))
SEED = int(os.environ.get("SASTRE_SEED", 0))


def _report(stats: FuzzStats) -> None:
    print(
        f"\nfuzz: {stats.total} cases {dict(stats.cases)} -> {dict(stats.outcomes)}; "
        f"findings: {len(stats.findings)} {stats.findings[:10]}"
    )


def test_mutated_documents_end_indexed_or_with_a_reason(tmp_path):
    stats = FuzzStats()
    fuzz_documents(tmp_path, per_format=max(1, CASES // 8), seed=SEED, stats=stats)
    _report(stats)
    assert stats.findings == []
    assert sum(stats.outcomes.values()) == stats.total


def test_mutated_model_files_are_refused_or_load_safely(tmp_path):
    stats = FuzzStats()
    fuzz_models(tmp_path, per_format=max(1, CASES // 8), seed=SEED, stats=stats)
    _report(stats)
    assert stats.findings == []


def test_mutated_datasets_are_imported_or_refused(tmp_path):
    stats = FuzzStats()
    fuzz_jsonl(tmp_path, cases=max(1, CASES // 8), seed=SEED, stats=stats)
    _report(stats)
    assert stats.findings == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
example = st.fixed_dictionaries(
    {},
    optional={
        "messages": st.lists(
            st.fixed_dictionaries(
                {"role": st.sampled_from(["user", "assistant", "system", "bot"]) | json_values},
                optional={"content": json_values},
            ),
            max_size=4,
        )
        | json_values,
        "text": json_values,
        "prompt": json_values,
        "completion": json_values,
    },
)


@settings(max_examples=max(20, CASES // 8), deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=st.lists(example | json_values, min_size=0, max_size=6), as_array=st.booleans())
def test_any_json_dataset_is_imported_or_refused_plainly(tmp_path_factory, rows, as_array):
    path = tmp_path_factory.mktemp("ds") / "d.jsonl"
    text = json.dumps(rows) if as_array else "\n".join(json.dumps(r) for r in rows)
    path.write_text(text)
    try:
        out = read_jsonl(path)
    except DatasetError as exc:
        assert str(exc)  # a message for the user, naming the file
        return
    assert out and all(isinstance(e, dict) for e in out)
    for e in out:  # what is kept is what training reads: strings only
        values = [m["content"] for m in e.get("messages", [])] + [
            e[k] for k in ("text", "prompt", "completion") if k in e
        ]
        assert all(isinstance(v, str) for v in values)
