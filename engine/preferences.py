"""Preference data from what the user did: pairs, single labelled answers, readiness.

`rebuild(store)` turns feedback, answer versions and corrections into rows of
store.preferences; it is idempotent and cheap, so it runs after every rating,
preference or vote and before anything lists or trains on the data:

- a disliked answer vs a liked version (regeneration) of the same question;
- a disliked answer vs the user's correction of it;
- the version the user preferred vs each other version;
- a blind A/B vote (`record_ab_vote`, called when the vote is stored).

Thumbs that end up in no pair become single labelled answers (KTO learns from
those). A prompt is the conversation up to and including the user's message.
Imported files: engine.preference_files.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from engine.errors import SastreError
from store import Store
from store.chats import Message
from store.feedback import Feedback
from store.preferences import PAIR_SOURCES, LabelledAnswer, PreferencePair, twin_key

BUILT_SOURCES = ("liked_regeneration", "correction", "preferred_version")

# How much data a preference run needs. DPO is judged on held-out pairs (accuracy and
# reward margin decide early stopping and promotion): with fewer than 4 held out, one
# pair moves accuracy by more than 25 points, which says nothing. 12 pairs to train on
# is the least that gives the NLL-anchored recipe more than a step or two per epoch
# (the measurements used 40; fewer learn less, but do not collapse).
MIN_PAIRS = 16
HELD_OUT_PAIRS = 4
# KTO learns from single thumbs: it needs both kinds (it weighs desirable against
# undesirable answers), and roughly twice as many rows as DPO needs pairs, since each
# row carries half the information of a pair.
MIN_LABELLED = 32
# Earlier messages kept in a pair's prompt: training truncates long prompts anyway, and a
# long chat would otherwise store its whole history again with every pair.
MAX_HISTORY = 16
MIN_EACH_LABEL = 8


@dataclass
class RebuildReport:
    pairs_added: int = 0
    pairs_updated: int = 0
    pairs_removed: int = 0
    examples_added: int = 0
    examples_updated: int = 0
    examples_removed: int = 0

    @property
    def changed(self) -> bool:
        return any(vars(self).values())


# -- prompts ---------------------------------------------------------------------------
class _ChatIndex:
    """One chat's messages, read once: the conversation as shown and each answer's versions."""

    def __init__(self, messages: list[Message]):
        self.shown = [
            m
            for m in messages
            if m.role in ("system", "user", "assistant")
            and (m.role != "assistant" or getattr(m, "active", True))
        ]
        self.pos = {m.id: i for i, m in enumerate(self.shown)}
        self.versions: dict[int, list[Message]] = {}
        for m in messages:
            if m.role == "assistant" and m.parent_id is not None:
                self.versions.setdefault(m.parent_id, []).append(m)
        for vs in self.versions.values():
            vs.sort(key=lambda m: (getattr(m, "version", 0), m.id))

    def prompt(self, user: Message) -> list[dict[str, str]]:
        """The chat up to and including `user`: earlier answers as shown (active versions),
        at most MAX_HISTORY messages before the question, starting with a user's."""
        i = self.pos.get(user.id)
        if i is None:
            return [{"role": "user", "content": user.content}]
        out = [{"role": "user", "content": user.content}]
        for m in reversed(self.shown[:i]):
            if len(out) > MAX_HISTORY:
                break
            if m.content:
                out.append({"role": m.role, "content": m.content})
        out.reverse()
        while len(out) > 1 and out[0]["role"] == "assistant":  # chat templates start so
            out.pop(0)
        return out


def _single(question: str | None) -> list[dict[str, str]] | None:
    return [{"role": "user", "content": question}] if question and question.strip() else None


def content_key(prefix: str, prompt: list[dict], *texts: str) -> str:
    """A stable key for rows that have no ids to be keyed by (imports, A/B answers)."""
    h = hashlib.sha1(json.dumps([prompt, *texts], ensure_ascii=False).encode()).hexdigest()
    return f"{prefix}:{h[:20]}"


def same_pair(p: PreferencePair, reverse: bool = False) -> str:
    """The question and both answers (see store.preferences.twin_key); `reverse` swaps them."""
    if not reverse:
        return twin_key(p)
    return twin_key(PreferencePair(None, p.prompt, p.rejected, p.chosen, p.source, ""))


# -- building ----------------------------------------------------------------------------
@dataclass
class _Built:
    pairs: dict[str, PreferencePair] = field(default_factory=dict)
    examples: dict[str, LabelledAnswer] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)  # content keys, one pair per content
    paired: set[int] = field(default_factory=set)  # feedback ids used in a pair

    def add(self, pair: PreferencePair, feedback: list[Feedback | None]) -> None:
        if pair.chosen.strip() == pair.rejected.strip() or not pair.chosen.strip():
            return
        ident, reverse = same_pair(pair), same_pair(pair, reverse=True)
        if reverse in self.seen:
            return  # earlier rules win: an explicit preference over a pair of thumbs
        self.paired.update(f.id for f in feedback if f is not None)  # a twin pairs them too
        if pair.origin_key not in self.pairs and ident not in self.seen:
            self.seen.add(ident)
            self.pairs[pair.origin_key] = pair


def _origin(messages: list[Message], feedback: list[Feedback | None]) -> dict[str, Any]:
    return {
        "messages": [m.id for m in messages],
        "feedback": [f.id for f in feedback if f is not None],
        "chat": messages[0].chat_id if messages else None,
    }


def _versions_pairs(
    built: _Built, prompt: list[dict], versions: list[Message], fb: dict[int, Feedback]
) -> None:
    """Pairs among the versions of one answer: the preferred one, then liked vs disliked."""
    stamped = [v for v in versions if getattr(v, "preferred_at", None)]
    preferred = max(stamped, key=lambda v: (v.preferred_at, v.id)) if stamped else None
    if preferred is not None and not _disliked_since(fb.get(preferred.id), preferred):
        for other in versions:
            if other.id != preferred.id:
                built.add(
                    _version_pair(prompt, preferred, other, "preferred_version", fb),
                    [fb.get(preferred.id), fb.get(other.id)],
                )
    liked = [v for v in versions if _rated(fb, v, 1)]
    for bad in (v for v in versions if _rated(fb, v, -1)):
        for good in liked:
            built.add(
                _version_pair(prompt, good, bad, "liked_regeneration", fb),
                [fb[good.id], fb[bad.id]],
            )


def _disliked_since(f: Feedback | None, m: Message) -> bool:
    """The user disliked this version after preferring it (the later act stands)."""
    return f is not None and f.rating < 0 and (f.updated_at or "") > (m.preferred_at or "")


def _rated(fb: dict[int, Feedback], m: Message, rating: int) -> bool:
    f = fb.get(m.id)
    return f is not None and f.rating == rating


def _version_pair(
    prompt: list[dict], good: Message, bad: Message, source: str, fb: dict[int, Feedback]
) -> PreferencePair:
    return PreferencePair(
        None,
        prompt,
        good.content,
        bad.content,
        source,
        f"pair:m{good.id}>m{bad.id}",
        _origin([good, bad], [fb.get(good.id), fb.get(bad.id)]),
    )


def _correction_pair(f: Feedback, prompt: list[dict], msg: Message | None) -> PreferencePair:
    rejected = msg.content if msg is not None else (f.answer or "")
    return PreferencePair(
        None,
        prompt,
        f.correction or "",
        rejected,
        "correction",
        f"pair:c{f.id}",
        _origin([msg] if msg else [], [f]),
    )


def _detached_pairs(built: _Built, feedback: list[Feedback], prompts: dict[int, list]) -> None:
    """Rated answers kept only as text (earlier versions saved before versions were rows,
    or answers whose chat was deleted): liked vs disliked answers to the same question."""
    groups: dict[tuple, list[Feedback]] = {}
    for f in feedback:
        if f.question and f.answer:
            groups.setdefault((f.chat_id, f.question.strip()), []).append(f)
    for group in groups.values():
        if all(f.message_id is not None for f in group):
            continue  # versions that are still rows were paired from their messages
        for bad in (f for f in group if f.rating < 0):
            for good in (f for f in group if f.rating > 0):
                prompt = prompts.get(good.id) or prompts.get(bad.id) or _single(good.question)
                built.add(
                    PreferencePair(
                        None,
                        prompt,
                        good.answer,
                        bad.answer,
                        "liked_regeneration",
                        f"pair:f{good.id}>f{bad.id}",
                        {"messages": [], "feedback": [good.id, bad.id], "chat": good.chat_id},
                    ),
                    [good, bad],
                )


def build(store: Store) -> _Built:
    """Every pair and single example the current feedback and versions give."""
    feedback = store.feedback.list(limit=10**9)
    by_msg = {f.message_id: f for f in feedback if f.message_id is not None}
    built = _Built()
    prompts: dict[int, list] = {}  # feedback id -> its conversation
    chats: dict[int, _ChatIndex] = {}
    parents = set(store.preferences.rated_or_preferred_parents())
    msgs_by_id: dict[int, Message] = {}
    for f in feedback:  # answers whose parent link is missing are looked up by message
        if f.message_id is not None and (m := store.chats.message(f.message_id)) is not None:
            msgs_by_id[m.id] = m
            if m.parent_id is not None:
                parents.add(m.parent_id)
    for pid in sorted(parents):
        user = store.chats.message(pid)
        if user is None or user.role != "user":
            continue
        if user.chat_id not in chats:  # one read per chat
            chats[user.chat_id] = _ChatIndex(store.chats.messages(user.chat_id, all_versions=True))
        index = chats[user.chat_id]
        prompt = index.prompt(user)
        versions = index.versions.get(pid, [])
        for v in versions:
            if v.id in by_msg:
                prompts[by_msg[v.id].id] = prompt
        _versions_pairs(built, prompt, versions, by_msg)
    for f in feedback:
        if f.rating < 0 and (f.correction or "").strip():
            prompt = prompts.get(f.id) or _single(f.question)
            if prompt:
                built.add(_correction_pair(f, prompt, msgs_by_id.get(f.message_id)), [f])
    _detached_pairs(built, feedback, prompts)
    for f in feedback:
        prompt = prompts.get(f.id) or _single(f.question)
        if f.id in built.paired or not prompt or not (f.answer or "").strip():
            continue
        answer = msgs_by_id[f.message_id].content if f.message_id in msgs_by_id else f.answer
        built.examples[f"example:f{f.id}"] = LabelledAnswer(
            None,
            prompt,
            answer,
            f.rating > 0,
            "feedback",
            f"example:f{f.id}",
            {
                "messages": [f.message_id] if f.message_id else [],
                "feedback": [f.id],
                "chat": f.chat_id,
            },
        )
    return built


def _orphaned(store: Store, origin: dict[str, Any]) -> bool:
    """Some of the messages a row was built from are gone (their chat was deleted)."""
    ids = [i for i in origin.get("messages", []) if i is not None]
    return len(store.preferences.existing_messages(ids)) < len(ids)


def _feedback_gone(store: Store, origin: dict[str, Any]) -> bool:
    ids = origin.get("feedback", [])
    if not ids:
        return False
    marks = ", ".join("?" * len(ids))
    n = store.db.one(f"SELECT count(*) FROM feedback WHERE id IN ({marks})", tuple(ids))[0]
    return n < len(ids)


def _sync(store: Store, repo, wanted: dict, sources: tuple[str, ...]) -> tuple[int, int, int]:
    """Make the built rows of `repo` match `wanted`; returns (added, updated, removed).

    Rows the user edited are left alone. A built row that is no longer wanted goes,
    unless it lost its messages but not its feedback: a deleted chat keeps its
    feedback (as text) and so keeps the pairs made from it.
    """
    added = updated = removed = 0
    have = repo.keys(sources)
    pairs = repo is store.preferences.pairs
    for key, row in wanted.items():
        old = have.get(key)
        if old is None:
            twin = pairs and repo.twin(row)
            if not twin and not repo.dropped(key):
                repo.save(row)
                added += 1
        elif not old.edited and not _orphaned(store, old.origin) and _differs(old, row):
            repo.save(row)
            updated += 1
    for key, old in have.items():
        if key in wanted or old.edited or old.source not in sources:
            continue
        if _feedback_gone(store, old.origin) or not _orphaned(store, old.origin):
            repo.delete(old.id, remember=False)
            removed += 1
    return added, updated, removed


_COMPARED = ("prompt", "chosen", "rejected", "answer", "desirable", "source", "origin")


def _differs(old, new) -> bool:
    return any(getattr(old, k, None) != getattr(new, k, None) for k in _COMPARED)


def rebuild(store: Store) -> RebuildReport:
    """Bring the pairs and single examples up to date with feedback and versions."""
    built = build(store)
    with store.db.tx():  # one transaction: a rebuild is seen whole or not at all
        p = _sync(store, store.preferences.pairs, built.pairs, BUILT_SOURCES)
        e = _sync(store, store.preferences.examples, built.examples, ("feedback",))
    return RebuildReport(*p, *e)


def record_ab_vote(
    store: Store, prompt: str, answers: list[dict], winner: str
) -> PreferencePair | None:
    """A blind A/B vote as a pair: the winner's answer over the other's (a tie is none).

    `answers` are ab_answers' records ({label, adapter, text}); `winner` an adapter name.
    """
    won = [a for a in answers if a["adapter"] == winner]
    lost = [a for a in answers if a["adapter"] != winner]
    if winner == "tie" or len(won) != 1 or len(lost) != 1:
        return None
    chosen, rejected = won[0]["text"], lost[0]["text"]
    if not chosen.strip() or chosen.strip() == rejected.strip():
        return None
    msgs = [{"role": "user", "content": prompt}]
    key = content_key("pair:ab", msgs, chosen, rejected)
    if store.preferences.pairs.dropped(key):
        return None
    return store.preferences.pairs.save(
        PreferencePair(
            None,
            msgs,
            chosen,
            rejected,
            "ab_vote",
            key,
            {"adapters": [won[0]["adapter"], lost[0]["adapter"]]},
        )
    )


# -- readiness -------------------------------------------------------------------------
@dataclass
class Readiness:
    """Whether there is enough preference data to train on, and what is missing."""

    pairs: int
    examples: int  # single labelled answers
    desirable: int  # labelled answers (examples and both sides of pairs) marked good
    undesirable: int
    method: str | None  # 'dpo' when pairs suffice, 'kto' when only single thumbs do
    pairs_needed: int  # more pairs before DPO makes sense (0: enough)
    labelled_needed: int  # more single thumbs before KTO makes sense (0: enough)

    @property
    def ready(self) -> bool:
        return self.method is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            **vars(self),
            "ready": self.ready,
            "min_pairs": MIN_PAIRS,
            "held_out_pairs": HELD_OUT_PAIRS,
        }


def readiness(store: Store) -> Readiness:
    pairs = store.preferences.pairs.count()
    examples = store.preferences.examples.list()
    good = sum(e.desirable for e in examples) + pairs
    bad = len(examples) - sum(e.desirable for e in examples) + pairs
    pairs_needed = max(0, MIN_PAIRS - pairs)
    each = max(0, MIN_EACH_LABEL - good) + max(0, MIN_EACH_LABEL - bad)
    labelled_needed = max(MIN_LABELLED - good - bad, each, 0)
    method = "dpo" if pairs_needed == 0 else ("kto" if labelled_needed == 0 else None)
    return Readiness(pairs, len(examples), good, bad, method, pairs_needed, labelled_needed)


def estimate_seconds(store: Store, method: str = "dpo", epochs: float = 2.0) -> float | None:
    """A rough time for a preference run: its tokens at the speed of the last LoRA run.

    A DPO step costs about 1.3 LoRA steps per token (chosen and rejected are trained
    on; the reference pass is forward only). None before any run has been timed.
    """
    speeds = [a.metrics.get("tokens_per_second") for a in store.adapters.list()]
    speeds = [s for s in speeds if s]
    if not speeds:
        return None
    chars = 0
    for p in store.preferences.pairs.list():
        prompt = sum(len(m["content"]) for m in p.prompt)
        chars += 2 * prompt + len(p.chosen) + len(p.rejected)
    if method == "kto" or chars == 0:
        for e in store.preferences.examples.list():
            chars += sum(len(m["content"]) for m in e.prompt) + len(e.answer)
    tokens = chars / 4  # ~4 characters a token in English and Spanish text
    return round(1.3 * epochs * tokens / speeds[-1] + 30, 1)  # + loading and evaluating


# -- training input --------------------------------------------------------------------
@dataclass
class _PreferenceExample:  # the trainer's shape, until engine.train defines it
    prompt: list[dict]
    chosen: str
    rejected: str


@dataclass
class _LabelledExample:
    prompt: list[dict]
    answer: str
    desirable: bool


def _train_types() -> tuple[type, type]:
    try:
        from engine.train.preference import LabelledExample, PreferenceExample
    except ImportError:
        return _PreferenceExample, _LabelledExample
    return PreferenceExample, LabelledExample


FEEDBACK = (*BUILT_SOURCES, "ab_vote")  # `--pairs feedback`: what the user did, not imports


def _pairs(store: Store, which: str) -> list[PreferencePair]:
    """'all', 'feedback' (what the user did, not imports) or one source's pairs."""
    if which == "all":
        return store.preferences.pairs.list()
    if which == "feedback":
        return [p for p in store.preferences.pairs.list() if p.source in FEEDBACK]
    if which in PAIR_SOURCES:
        return store.preferences.pairs.list(which)
    raise SastreError(
        f"'{which}' names no preference pairs: use all, feedback, a file, or one of "
        f"{', '.join(PAIR_SOURCES)}."
    )


def training_pairs(store: Store, which: str = "all") -> list:
    """The pairs ('all', 'feedback' or one source), brought up to date with the feedback
    first, as the trainer's PreferenceExample records."""
    rebuild(store)
    PreferenceExample, _ = _train_types()
    return [
        PreferenceExample(prompt=p.prompt, chosen=p.chosen, rejected=p.rejected)
        for p in _pairs(store, which)
    ]


def training_labelled(store: Store, which: str = "all") -> list:
    """Single thumbs and both sides of every pair (up to date with the feedback) as the
    trainer's LabelledExample records (KTO)."""
    rebuild(store)
    _, LabelledExample = _train_types()
    out = [
        LabelledExample(prompt=e.prompt, answer=e.answer, desirable=e.desirable)
        for e in store.preferences.examples.list()
        if which == "all" or e.source == "feedback"
    ]
    for p in _pairs(store, which):
        out.append(LabelledExample(prompt=p.prompt, answer=p.chosen, desirable=True))
        out.append(LabelledExample(prompt=p.prompt, answer=p.rejected, desirable=False))
    return out


def training_examples(store: Store, method: str, which: str = "all") -> list:
    """What `method` learns from: pairs (dpo, ipo) or thumbs (kto), up to date."""
    return training_labelled(store, which) if method == "kto" else training_pairs(store, which)
