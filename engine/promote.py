"""After a preference run: a blind A/B of the current adapter against the new one on the
user's own questions, then, if the user confirms, the new one becomes the default.

Each vote is stored twice: as an A/B vote (store.adapters) and as a preference pair
(the winner's answer over the other's). The tally and the decision are stored with
the new adapter (metrics["comparisons"]), so the Training tab shows them later.
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from engine import preferences as prefs
from engine.errors import SastreError
from store import Store
from store.db import now

BASE = "(base)"  # the model without an adapter, in votes; not a valid adapter name
PROMPTS = 6  # questions per comparison: enough to see a preference, short enough to vote on


@dataclass
class Tally:
    new: str
    current: str | None  # None: the base model without an adapter
    wins: int = 0  # votes for the new adapter
    losses: int = 0
    ties: int = 0
    votes: list[dict[str, str]] = field(default_factory=list)  # {prompt, winner}

    @property
    def total(self) -> int:
        return self.wins + self.losses + self.ties

    @property
    def new_preferred(self) -> bool:
        """The new adapter won more of the votes than the current one."""
        return self.wins > self.losses

    def add(self, prompt: str, winner: str | None) -> None:
        """`winner`: the new adapter's name, the current one's (None or BASE for the base
        model), or 'tie'."""
        if winner == "tie":
            self.ties += 1
        elif winner == self.new:
            self.wins += 1
        else:
            self.losses += 1
        self.votes.append({"prompt": prompt, "winner": winner or BASE})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def history_prompts(store: Store, n: int = PROMPTS, max_chars: int = 400) -> list[str]:
    """The user's most recent distinct questions from their chats (short ones), those not
    trained on first: a question a pair was made from would flatter the new adapter."""
    rows = store.db.query(
        "SELECT content FROM messages WHERE role = 'user' AND length(content) <= ?"
        " ORDER BY id DESC LIMIT 500",
        (max_chars,),
    )
    trained = {
        p.prompt[-1]["content"].strip().lower() for p in store.preferences.pairs.list() if p.prompt
    }
    fresh: list[str] = []
    seen: list[str] = []
    for r in rows:
        text = r[0].strip()
        if not text or text.lower() in {p.lower() for p in fresh + seen}:
            continue
        (seen if text.lower() in trained else fresh).append(text)
    return (fresh + seen)[:n]


def blind_answers(
    chat: Any,
    model: str,
    current: str | None,
    new: str,
    prompt: str,
    max_tokens: int = 128,
    seed: int | None = None,
    cancel: threading.Event | None = None,
) -> list[dict]:
    """The answers of `current` (None: no adapter) and `new` to one prompt, shuffled and
    labelled A and B. Both run on the one loaded base model; only the adapter changes."""
    from engine.config import GenerationConfig
    from engine.generate import encode, render_chat

    cfg = GenerationConfig(temperature=0.0, max_tokens=max_tokens)
    out = []
    for name in (current, new):
        gen = chat.generator(model, adapter=name or "")
        tok = gen.loaded.tokenizer
        gen.reset_cache()
        ids = encode(tok, render_chat(tok, [{"role": "user", "content": prompt}]))
        out.append({"adapter": name or BASE, "text": gen.generate(ids, cfg, cancel).strip()})
        if cancel is not None and cancel.is_set():
            break
    random.Random(seed).shuffle(out)
    for label, item in zip("AB", out, strict=False):
        item["label"] = label
    return out


def record_vote(store: Store, tally: Tally, prompt: str, answers: list[dict], pick: str) -> str:
    """Store the vote for answer `pick` ('a', 'b' or 'tie'); returns the winner's name."""
    by_label = {a["label"].lower(): a["adapter"] for a in answers}
    winner = by_label.get(pick, "tie")
    store.adapters.add_vote(prompt, tally.current or BASE, tally.new, winner)
    prefs.record_ab_vote(store, prompt, answers, winner)
    tally.add(prompt, None if winner == BASE else winner)
    return winner


def _record(store: Store, tally: Tally, decision: str, scope: str | None) -> None:
    rec = store.adapters.get(tally.new)
    if rec is None:
        raise SastreError(f"The adapter '{tally.new}' is gone; train it again.")
    entry = {**tally.to_dict(), "decision": decision, "scope": scope, "at": now()}
    rec.metrics = {**rec.metrics, "comparisons": [*rec.metrics.get("comparisons", []), entry]}
    store.adapters.save(rec)


def promote(store: Store, tally: Tally, scope: str) -> None:
    """Make the new adapter the default for `scope`: 'default' (every chat without its own
    choice), 'chat:ID' or 'persona:NAME'; the tally is stored with the adapter."""
    rec = store.adapters.get(tally.new)
    if rec is None or rec.status != "ready":
        raise SastreError(f"The adapter '{tally.new}' is not ready; it cannot be made the default.")
    if rec.metrics.get("promotable") is False:
        raise SastreError(
            f"'{tally.new}' is not made the default: "
            f"{rec.metrics.get('not_promotable_reason') or 'its answers degenerated.'}"
        )
    kind, _, target = scope.partition(":")
    if kind == "default":
        store.settings.set("adapter", tally.new)
    elif kind == "chat" and store.chats.get(int(target)) is not None:
        store.chats.update(int(target), adapter=tally.new)
    elif kind == "persona" and (p := store.personas.get(target)) is not None:
        p.adapter = tally.new
        store.personas.update(target, p)
    else:
        raise SastreError(f"There is no {kind} '{target}' to use the adapter in any more.")
    _record(store, tally, "promoted", scope)


def keep_current(store: Store, tally: Tally) -> None:
    """The user kept the current adapter; the tally is stored all the same."""
    _record(store, tally, "kept", None)
