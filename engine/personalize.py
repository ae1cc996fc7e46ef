"""Personalization settings, memories proposed from the user's words, built-in personas.

Prompt assembly lives in engine.prompts; feedback matched at answer time in engine.feedback.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.config import Settings, opt
from resources import ROOT as RESOURCES

if TYPE_CHECKING:
    from store import Store


ANSWER_MARK = re.compile(r"^\s*(?:final answer|answer|respuesta(?: final)?)\s*:\s*", re.I | re.M)


@dataclass
class PersonalizeConfig(Settings):
    example_budget: int = opt(400, "Most prompt tokens for few-shot examples.", min=0)
    max_liked: int = opt(3, "Most liked answers added as examples.", min=0, max=20)
    max_disliked: int = opt(2, "Most disliked answers described as what to avoid.", min=0)
    min_similarity: float = opt(
        0.35, "Only rated questions at least this similar (cosine) are used.", min=0.0, max=1.0
    )
    memory_budget: int = opt(200, "Most prompt tokens for accepted memories.", min=0)
    retrieval_weight: float = opt(
        0.3, "Largest up/down weight feedback gives a cited chunk (0: off).", min=0.0, max=0.9
    )


def split_reasoning(text: str) -> tuple[str, str]:
    """(reasoning, final answer) of a chain-of-thought answer; ('', text) without a mark."""
    marks = list(ANSWER_MARK.finditer(text))
    if not marks:
        return "", text
    m = marks[-1]
    return text[: m.start()].strip(), text[m.end() :].strip()


# -- memories: rule-based proposals ---------------------------------------------------------
# The 135M default model cannot extract facts reliably, so statements are matched by
# first-person patterns (English and Spanish) and proposed; the user decides.

_MEMORY_PATTERNS = [
    r"\bI(?:'m| am) (?:a|an) [^.!?,;\n]{2,80}",
    r"\bI(?:'m| am) (?:from|based in) [^.!?,;\n]{2,60}",
    r"\bI (?:live|work|study) (?:in|at|as|on) [^.!?,;\n]{2,80}",
    r"\bmy name is [^.!?,\n]{2,40}",
    r"\bcall me [^.!?,\n]{2,40}",
    r"\bI (?:prefer|like|want|need) (?:short|long|brief|detailed|concise|simple|answers|replies|you to)"
    r"[^.!?,;\n]{0,80}",
    r"\b(?:always )?(?:answer|reply|respond|write) (?:to me )?in (?:English|Spanish|French|German|"
    r"Italian|Portuguese|Catalan)\b[^.!?,;\n]{0,40}",
    r"\bsoy (?:una? )?(?!de\b)[^.!?,;\n]{3,80}",
    r"\bsoy de [^.!?,;\n]{2,60}",
    r"\b(?:vivo|trabajo|estudio) (?:en|como) [^.!?,;\n]{2,80}",
    r"\bme llamo [^.!?,\n]{2,40}",
    r"\bprefiero [^.!?,;\n]{2,80}",
    r"\b(?:respóndeme|contéstame|responde|contesta|escríbeme) (?:siempre )?en [^.!?,;\n]{2,40}",
]
_MEMORY_RE = re.compile("|".join(f"(?:{p})" for p in _MEMORY_PATTERNS), re.I)


def propose_memories(text: str) -> list[str]:
    """Facts and preferences the user stated about themselves, as short sentences."""
    if "?" in text and len(text) < 40:  # "am I a ...?" questions are not statements
        return []
    out: list[str] = []
    for m in _MEMORY_RE.finditer(text):
        fact = m.group().strip().rstrip(",;:")
        fact = fact[0].upper() + fact[1:]
        if fact.lower() not in (f.lower() for f in out):
            out.append(fact)
    return out


# -- personas from resources ----------------------------------------------------------------


def builtin_personas() -> list[dict[str, Any]]:
    return json.loads((RESOURCES / "personas.json").read_text(encoding="utf-8"))


def ensure_builtin_personas(store: Store) -> None:
    """Add the built-in personas once; a user who deletes one does not get it back."""
    from store.personas import Persona

    if store.settings.get("personas_seeded"):
        return
    for d in builtin_personas():
        if store.personas.get(d["name"]) is None:
            store.personas.add(Persona.from_dict({**d, "builtin": True}))
    store.settings.set("personas_seeded", True)
