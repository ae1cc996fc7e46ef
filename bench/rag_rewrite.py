"""Query rewriting with the local chat model, measured on an evaluation set's index:
a hypothetical answer written by the model (HyDE) added to the question, and the question
rewritten by the model as English search keywords. Both search the same collection as
`bench/rag_quality.py` (run it first with the same --data-dir to build the index).

    python bench/rag_quality.py --set hard --data-dir D --modes hybrid
    python bench/rag_rewrite.py --set hard --data-dir D [--max-tokens 48] [--limit N]

The model's texts are kept in D/rewrites-<set>.json, so a second run only searches.
Rows: the plain question; question + hypothetical answer for both retrievers; the
hypothetical answer in the vector query only (keywords from the question alone); the
question + keywords for both; vector search alone with and without the answer.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

from rag_quality import SETS, K, load_questions, table, tally  # noqa: E402

HYDE = (
    "Write one or two sentences that could be the passage of a document answering the "
    "question. Use the words such a document would use. Do not say that you do not know."
)
KEYWORDS = (
    "Rewrite the question as a short list of English search keywords: the names, versions, "
    "components and technical terms a matching document would contain. Reply with the "
    "keywords only."
)


def generate(eng, model: str, system: str, text: str, max_tokens: int) -> str:
    from engine.config import GenerationConfig

    cfg = GenerationConfig(max_tokens=max_tokens, temperature=0.0, seed=0)
    out = []
    for ev in eng.chat.send(
        text, model=model, adapter="", system=system, config=cfg, save=False, personalize=False
    ):
        if ev.text:
            out.append(ev.text)
    return "".join(out).strip()


def rewrites(questions, cache: Path, max_tokens: int) -> dict:
    done = json.loads(cache.read_text(encoding="utf-8")) if cache.exists() else {}
    todo = [q["q"] for q in questions if q["q"] not in done]
    if not todo:
        return done
    from engine.context import Engine

    eng = Engine(Path(tempfile.mkdtemp(prefix="sastre-rewrite-")))
    model = eng.models.prepare_embedded().name
    t0 = time.perf_counter()
    for i, q in enumerate(todo, 1):
        done[q] = {
            "hyde": generate(eng, model, HYDE, q, max_tokens),
            "keywords": generate(eng, model, KEYWORDS, q, max_tokens // 2),
        }
        cache.write_text(json.dumps(done, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"{i}/{len(todo)} {time.perf_counter() - t0:.0f}s", file=sys.stderr, flush=True)
    eng.close()
    return done


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--set", choices=tuple(SETS), default="hard")
    ap.add_argument("--data-dir", required=True, help="The index bench/rag_quality.py built.")
    ap.add_argument("--max-tokens", type=int, default=48)
    ap.add_argument("--limit", type=int, default=0, help="Only the first N questions.")
    args = ap.parse_args()

    from engine.rag import Library
    from engine.rag.retrieve import search
    from store import Store

    folder = SETS[args.set]
    data = Path(args.data_dir)
    questions = [q for q in load_questions(folder) if q["file"]]
    if args.limit:
        questions = questions[: args.limit]
    texts = rewrites(questions, data / f"rewrites-{args.set}.json", args.max_tokens)

    store = Store.open(data)
    lib = Library(store, data)
    col = lib.collection("eval")
    emb = lib.embedder(col.embedding_model)
    docs = folder / "docs" if args.set == "hard" else None

    def hybrid(text: str):
        return lib.search(text, "eval", k=K)

    def vector(text: str):
        return lib.search(text, "eval", k=K, mode="vector")

    def answer_in_vector(question: str, answer: str):
        vec = emb.embed_query(question + "\n" + answer)
        return search(
            store, col, emb, question, k=K, config=lib.config, query_vector=vec,
            memory=lib.vectors,
        )  # fmt: skip

    queries = {  # row -> (question, the model's texts) -> hits
        "question": lambda q, t: hybrid(q),
        "question + answer": lambda q, t: hybrid(q + "\n" + t["hyde"]),
        "answer in the vector only": lambda q, t: answer_in_vector(q, t["hyde"]),
        "question + keywords": lambda q, t: hybrid(q + "\n" + t["keywords"]),
        "vector: question": lambda q, t: vector(q),
        "vector: question + answer": lambda q, t: vector(q + "\n" + t["hyde"]),
    }
    cells: dict = {}
    for row, run in queries.items():
        for q in questions:
            tally(cells, row, q, run(q["q"], texts[q["q"]]), docs)
    print(f"{len(questions)} questions, collection model {col.embedding_model}, k = {K}")
    print(table(cells, list(queries)).replace("| retriever |", "| query |", 1))
    for q in questions[:3]:
        print(json.dumps({"q": q["q"], **texts[q["q"]]}, ensure_ascii=False))
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
