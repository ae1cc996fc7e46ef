"""Strings defined outside desktop/ that the UI shows; written by scripts/translations.py."""

from PySide6.QtCore import QT_TRANSLATE_NOOP

STRINGS = [
    QT_TRANSLATE_NOOP("GenerationConfig", "Most tokens to generate for one answer."),
    QT_TRANSLATE_NOOP(
        "GenerationConfig",
        "Sampling temperature; 0 always picks the likeliest token. Auto: 0 for document answers and small models.",
    ),
    QT_TRANSLATE_NOOP(
        "GenerationConfig",
        "Nucleus sampling: keep the smallest set of tokens whose probability adds up to this.",
    ),
    QT_TRANSLATE_NOOP(
        "GenerationConfig", "Drop tokens less likely than this fraction of the likeliest one."
    ),
    QT_TRANSLATE_NOOP("GenerationConfig", "Keep only the k likeliest tokens (0: no limit)."),
    QT_TRANSLATE_NOOP(
        "GenerationConfig", "Penalise tokens already in the recent context (1: off)."
    ),
    QT_TRANSLATE_NOOP(
        "GenerationConfig",
        "Stop an answer that writes the same passage this many times in a row (0: never).",
    ),
    QT_TRANSLATE_NOOP("GenerationConfig", "Random seed, for answers you can reproduce."),
    QT_TRANSLATE_NOOP("PersonalizeConfig", "Most prompt tokens for few-shot examples."),
    QT_TRANSLATE_NOOP("PersonalizeConfig", "Most liked answers added as examples."),
    QT_TRANSLATE_NOOP("PersonalizeConfig", "Most disliked answers described as what to avoid."),
    QT_TRANSLATE_NOOP(
        "PersonalizeConfig", "Only rated questions at least this similar (cosine) are used."
    ),
    QT_TRANSLATE_NOOP("PersonalizeConfig", "Most prompt tokens for accepted memories."),
    QT_TRANSLATE_NOOP(
        "PersonalizeConfig", "Largest up/down weight feedback gives a cited chunk (0: off)."
    ),
    QT_TRANSLATE_NOOP("Personas", "Careful assistant for questions about your documents."),
    QT_TRANSLATE_NOOP("Personas", "Spanish-speaking assistant."),
    QT_TRANSLATE_NOOP("Personas", "Concise programming assistant."),
    QT_TRANSLATE_NOOP("Personas", "Reasons step by step before the final answer."),
]
