"""Precision of the citations engine/rag/attribution.py inserts, against hand labels.

Input: document answers saved by bench/answers.py (--out), each with its sources.
Each sentence the model did not cite and attribution supported gets "[n]"; a person
reads the sentence and passage n and labels whether the passage contains the fact.

    python bench/citations.py answers.jsonl --show          # print what to label
    python bench/citations.py answers.jsonl --labels bench/citation_labels.jsonl

Labels file: one JSON object a line, {"q": question, "sentence": text, "n": source,
"correct": true|false}. Unlabelled insertions are listed, not counted.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def insertions(rows: list[dict], embed) -> list[dict]:
    from engine.rag.attribution import attribute
    from engine.rag.types import Source

    out = []
    for row in rows:
        if row.get("kind") != "documents":
            continue
        sources = [Source.from_dict(s) for s in row["sources"]]
        for s in attribute(row["answer"], sources, embed):
            if s.cited_by_model or not s.sources:
                continue
            passage = next(x.text for x in sources if x.n == s.sources[0])
            out.append(
                {
                    "q": row["q"],
                    "sentence": s.text,
                    "n": s.sources[0],
                    "support": round(s.support, 3),
                    "passage": passage,
                }
            )
    return out


def write(found: list[dict], judged: list[bool], n_docs: int) -> None:
    from bench.answers import write_section

    right = sum(judged)
    write_section(
        "## Sentence citations",
        f"""## Sentence citations

`python bench/citations.py ANSWERS.jsonl --labels bench/citation_labels.jsonl --write`:
`engine/rag/attribution.py` on {n_docs} document answers of the built-in model (from
`bench/answers.py`, both settings) inserted {len(found)} citations where the model wrote
none. Each was labelled by hand (`bench/citation_labels.jsonl`): correct when the cited
passage contains every fact the sentence states. Precision: **{right}/{len(judged)} =
{right / len(judged):.0%}**. Most misses are sentences the 135M model made up with the
passage's own words (on topic, wrong in a detail or a negation), which similarity and
word overlap cannot tell from a paraphrase; numbers and quoted strings the passage lacks
already keep a sentence uncited.
""",
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("answers", nargs="+", help="JSONL files from bench/answers.py --out")
    ap.add_argument("--labels", help="hand labels (JSONL)")
    ap.add_argument("--show", action="store_true", help="print every insertion to label")
    ap.add_argument("--write", action="store_true", help="Update BENCHMARKS.md.")
    args = ap.parse_args()
    from engine.rag.config import DEFAULT_EMBEDDING_MODEL
    from engine.rag.embed import SentenceTransformerEmbedder

    rows = [json.loads(line) for f in args.answers for line in Path(f).read_text().splitlines()]
    embed = SentenceTransformerEmbedder(DEFAULT_EMBEDDING_MODEL).embed  # what retrieval used
    found = insertions(rows, embed)
    n_docs = sum(1 for r in rows if r.get("kind") == "documents")
    print(f"{len(found)} citations inserted in {n_docs} document answers")
    if args.show:
        for i, f in enumerate(found):
            print(
                f"\n#{i} [{f['n']}] support {f['support']}  Q: {f['q']}\n  S: {f['sentence']}"
                f"\n  P: {' '.join(f['passage'].split())[:600]}"
            )
    if args.labels:
        labels = {
            (x["q"], x["sentence"], x["n"]): x["correct"]
            for x in map(json.loads, Path(args.labels).read_text().splitlines())
        }
        judged = [labels[k] for f in found if (k := (f["q"], f["sentence"], f["n"])) in labels]
        right = sum(1 for c in judged if c)
        print(
            f"precision of inserted citations: {right}/{len(judged)} = {right / len(judged):.0%}"
            if judged
            else "no labelled insertions"
        )
        missing = len(found) - len(judged)
        if missing:
            print(f"{missing} insertions have no label yet")
        if args.write and judged:
            write(found, judged, n_docs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
