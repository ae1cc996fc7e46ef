"""Answer quality of the built-in model: old sampling defaults vs the auto ones.

30 everyday questions and 30 document questions (from bench/rag_eval, answered from
the retrieved sources with the app's cited-answer prompt) are answered under each
setting. An automatic check marks each answer:

- degenerate: empty, printed special tokens, a word 4-gram repeated 3+ times, few
  distinct words, or stopped for looping;
- on topic: everyday answers name one of the question's expected words; document
  answers take most of their content words from the question and its sources.

The share of answers that are on topic and not degenerate goes into BENCHMARKS.md
("Answer quality") with --write. Answers are saved as JSONL (--out) for a look by eye
and for the citation evaluation (bench/citations.py).

    python bench/answers.py [--write] [--out answers.jsonl] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EVAL = ROOT / "bench" / "rag_eval"
SECTION = "## Answer quality"

# (question, words any of which an on-topic answer contains)
EVERYDAY = [
    ("What is the capital of France? Answer in one word.", ["paris"]),
    ("How do I boil an egg?", ["water", "boil"]),
    ("Give me three tips for sleeping better.", ["sleep", "bed"]),
    ("What is photosynthesis?", ["light", "plant", "sun"]),
    ("How many days are there in a leap year?", ["366"]),
    ("What does a thermometer measure?", ["temperature"]),
    ("Name three primary colours.", ["red", "blue", "yellow"]),
    ("How can I save money on groceries?", ["list", "buy", "price", "shop"]),
    ("What is the boiling point of water in Celsius?", ["100"]),
    ("Write a short thank-you note to a colleague.", ["thank"]),
    ("Why is the sky blue?", ["light", "scatter", "sun"]),
    ("What is the largest planet in the solar system?", ["jupiter"]),
    ("How do I make a cup of tea?", ["water", "tea", "boil"]),
    ("What are the benefits of regular exercise?", ["health", "heart", "weight", "muscle"]),
    ("Translate 'good morning' into Spanish.", ["buenos"]),
    ("What is 12 times 12?", ["144"]),
    ("Suggest a name for a pet cat.", ["name", "cat"]),
    ("How do plants get water?", ["root", "soil"]),
    ("What should I pack for a beach holiday?", ["sunscreen", "towel", "swim"]),
    ("Explain what a computer virus is.", ["program", "software", "computer"]),
    ("How do I clean a cast iron pan?", ["water", "oil", "pan", "dry"]),
    ("What is the freezing point of water in Fahrenheit?", ["32"]),
    ("Give me a simple recipe for pancakes.", ["flour", "egg", "milk"]),
    ("Who wrote Romeo and Juliet?", ["shakespeare"]),
    ("What is the chemical symbol for gold?", ["au"]),
    ("How can I stay focused while studying?", ["break", "focus", "distraction"]),
    ("What is the difference between weather and climate?", ["climate", "weather"]),
    ("How many continents are there?", ["seven", "7"]),
    ("What is a healthy breakfast?", ["fruit", "egg", "oat", "protein", "whole"]),
    ("How do I write a good email subject line?", ["subject", "short", "clear"]),
]

STOP = set(
    "the a an and or of to in on for with is are was were be been it this that these those "
    "as by at from can will would should could which what how why who when where does do "
    "you your yours i me my we our they them their he she his her not no yes but if then "
    "than so such there here also into about any all each more most other some only very "
    "just may might must has have had its it's use used using one two".split()
)


def words(text: str) -> list[str]:
    return re.findall(r"[a-záéíóúñü0-9]+", text.lower())


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if len(w) >= 3 and w not in STOP]


def degenerate(text: str, finish_reason: str | None = None) -> str | None:
    """Why an answer is degenerate, or None."""
    w = words(text)
    if not w:
        return "empty"
    if "<|" in text or "|>" in text:
        return "special token shown"
    if finish_reason == "repetition":
        return "stopped looping"
    grams: dict[tuple[str, ...], int] = {}
    for i in range(len(w) - 3):
        g = tuple(w[i : i + 4])
        grams[g] = grams.get(g, 0) + 1
        if grams[g] >= 3:
            return "repeats " + " ".join(g)
    if len(w) >= 40 and len(set(w)) / len(w) < 0.35:
        return "few distinct words"
    return None


def on_topic_everyday(text: str, expected: list[str]) -> bool:
    found = set(words(text))
    return any(e in found or any(f.startswith(e) for f in found) for e in expected)


def on_topic_documents(text: str, question: str, sources: str) -> bool:
    """Most content words come from the question or its sources (the model stays on them)."""
    answer = content_words(text)
    if len(answer) < 2:
        return False
    known = set(content_words(question)) | set(content_words(sources))
    return sum(1 for w in answer if w in known) / len(answer) >= 0.6


def load_document_questions(n: int) -> list[dict]:
    rows = [json.loads(line) for line in (EVAL / "questions.jsonl").read_text().splitlines()]
    return [r for r in rows if r.get("file") and r["lang"] == "en"][:n]


def settings():
    from engine.config import GenerationConfig

    return {
        # What the app and `sastre chat` used before: 0.7 / 0.9 / 1.1, no loop stop.
        "old defaults": GenerationConfig(
            temperature=0.7, top_p=0.9, repetition_penalty=1.1, max_repeats=0
        ),
        # The first auto defaults: greedy with a repetition penalty of 1.05.
        "greedy, penalty 1.05": GenerationConfig(repetition_penalty=1.05),
        "auto (new defaults)": GenerationConfig(),
    }


def run(args) -> list[dict]:
    from engine import sampling
    from engine.context import Engine
    from engine.generate import Generator, encode, load_model, render_chat
    from engine.prompts import DEFAULT_SYSTEM_PROMPT
    from engine.rag import Library
    from engine.rag import answer as cited

    data = Path(args.data_dir or tempfile.mkdtemp(prefix="sastre-answers-"))
    eng = Engine(data)
    rec = eng.models.prepare_embedded()
    gen = Generator(load_model(rec.path, name=rec.name))
    tok = gen.loaded.tokenizer
    lib = Library(eng.store, data)
    report = lib.index([EVAL / "docs"], "eval")
    assert report.ok, report.to_dict()

    jobs = []
    for q, expected in EVERYDAY[: args.limit] if args.kind in (None, "everyday") else []:
        msgs = [
            {"role": "system", "content": DEFAULT_SYSTEM_PROMPT},
            {"role": "user", "content": q},
        ]
        jobs.append({"kind": "everyday", "q": q, "expected": expected, "messages": msgs})
    for row in (
        load_document_questions(args.limit or 30) if args.kind in (None, "documents") else []
    ):
        r = lib.retrieve(row["q"], "eval")
        msgs = [
            {"role": "system", "content": cited.system_prompt(r.language)},
            {"role": "user", "content": cited.user_message(r)},
        ]
        jobs.append(
            {
                "kind": "documents",
                "q": row["q"],
                "file": row["file"],
                "sources": [s.to_dict() for s in r.sources()],
                "messages": msgs,
            }
        )
    out = []
    chosen = {k: v for k, v in settings().items() if not args.setting or k.startswith(args.setting)}
    for label, cfg in chosen.items():
        for i, job in enumerate(jobs):
            task = sampling.DOCUMENTS if job["kind"] == "documents" else sampling.CHAT
            c = sampling.resolve(cfg, task, gen.loaded.n_params)
            c.max_tokens, c.seed = args.max_tokens, i
            t0 = time.perf_counter()
            chunks = list(gen.stream(encode(tok, render_chat(tok, job["messages"])), c))
            text = "".join(ch.text for ch in chunks)
            row = {k: v for k, v in job.items() if k != "messages"}
            row.update(
                setting=label,
                answer=text,
                finish=chunks[-1].finish_reason,
                seconds=round(time.perf_counter() - t0, 1),
            )
            row.update(judge(row))
            out.append(row)
            if args.out:  # as it goes: a long run stopped early keeps what it measured
                with open(args.out, "a", encoding="utf-8") as f:
                    f.write(json.dumps(row) + "\n")
            print(
                f"[{label}] {job['kind']} {i}: ok={row['ok']} {row['why'] or ''} {text[:90]!r}",
                flush=True,
            )
    eng.close()
    return out


def judge(row: dict) -> dict:
    bad = degenerate(row["answer"], row.get("finish"))
    if row["kind"] == "everyday":
        topic = on_topic_everyday(row["answer"], row["expected"])
    else:
        src = " ".join(s["text"] for s in row["sources"])
        topic = on_topic_documents(row["answer"], row["q"], src)
    why = bad or ("" if topic else "off topic")
    return {
        "degenerate": bad is not None,
        "on_topic": topic,
        "ok": topic and bad is None,
        "why": why,
    }


def table(rows: list[dict]) -> str:
    labels = list(dict.fromkeys(r["setting"] for r in rows))
    lines = [
        "| setting | everyday: on topic, not degenerate | documents: on topic, not degenerate "
        "| degenerate (all) | all |",
        "|---|---|---|---|---|",
    ]
    for label in labels:
        mine = [r for r in rows if r["setting"] == label]

        def share(sel, key="ok"):
            n = sum(1 for r in sel if r[key])
            return f"{n / len(sel):.0%} ({n}/{len(sel)})" if sel else "-"

        ev = [r for r in mine if r["kind"] == "everyday"]
        doc = [r for r in mine if r["kind"] == "documents"]
        lines.append(
            f"| {label} | {share(ev)} | {share(doc)} | "
            f"{share(mine, 'degenerate')} | **{share(mine)}** |"
        )
    return "\n".join(lines)


def write(rows: list[dict], max_tokens: int) -> None:
    from bench.rag_common import machine

    body = f"""{SECTION}

`python bench/answers.py --write`: the built-in SmolLM2-135M-Instruct answers
{sum(1 for r in rows if r["kind"] == "everyday") // 2} everyday questions and
{sum(1 for r in rows if r["kind"] == "documents") // 2} English document questions from
`bench/rag_eval` (from the retrieved sources, with the app's cited-answer prompt), at most
{max_tokens} tokens each, seed fixed per question. "old defaults" is what the app and
`sastre chat` used before (temperature 0.7, top-p 0.9, repetition penalty 1.1);
"auto" is `engine/sampling.py` (small model or documents: greedy, repetition penalty
1.15 on the answer's own tokens, stop after a passage written 3 times in a row). An answer passes when it is on topic
(everyday: names an expected word; documents: at least 60% of its content words come from
the question and its sources) and not degenerate (empty, special tokens shown, a 4-word
sequence written 3+ times, under 35% distinct words, or stopped for looping).

{table(rows)}

Machine: {machine()}.
"""
    write_section(SECTION, body)


def write_section(section: str, body: str) -> None:
    """Replace (or add) a '## ' section of BENCHMARKS.md, leaving the others untouched."""
    from bench.rag_common import BENCHMARKS

    text = BENCHMARKS.read_text()
    if section in text:
        start = text.index(section)
        nxt = text.find("\n## ", start + len(section))
        text = text[:start] + body.strip() + "\n" + (text[nxt:] if nxt >= 0 else "")
    else:
        text = text.rstrip() + "\n\n" + body.strip() + "\n"
    BENCHMARKS.write_text(text)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data-dir", help="Data folder (kept); default: a temporary one.")
    ap.add_argument("--out", help="Write every answer here as JSONL.")
    ap.add_argument("--limit", type=int, help="Only the first N questions of each set.")
    ap.add_argument("--max-tokens", type=int, default=200)
    ap.add_argument("--setting", help="Only the setting whose label starts with this.")
    ap.add_argument("--kind", choices=("everyday", "documents"), help="Only this question set.")
    ap.add_argument(
        "--table", nargs="*", help="Only print (and --write) the table of these JSONL files."
    )
    ap.add_argument("--write", action="store_true", help="Update BENCHMARKS.md.")
    args = ap.parse_args()
    if args.table:
        rows = [json.loads(line) for f in args.table for line in Path(f).read_text().splitlines()]
        print(table(rows))
        if args.write:
            write(rows, args.max_tokens)
        return 0
    if args.out:
        Path(args.out).write_text("")
    rows = run(args)
    print(table(rows))
    if args.write:
        write(rows, args.max_tokens)
    return 0


if __name__ == "__main__":
    sys.exit(main())
