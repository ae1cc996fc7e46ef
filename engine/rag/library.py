"""The document library's API, for the CLI and the GUI (call it from a worker thread).

    lib = Library(store, data_dir)
    report = lib.index(["~/Papers"], "papers", progress=on_progress, cancel=event)
    hits = lib.search("attention heads", "papers", k=5)

Embedding models load on first use and stay loaded (one per model id). Parsing runs in
spawned processes, so a script that calls `index()` needs the usual
`if __name__ == "__main__":` guard (the app's entry points have it).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from engine.errors import not_found
from engine.rag.config import AUTO_EMBEDDING_MODEL, RagConfig
from engine.rag.embed import Embedder, auto_model, make_embedder, resolve_model
from engine.rag.errors import (
    CollectionNotFoundError,
    DocumentNotFoundError,
    EmbeddingModelMismatchError,
)
from engine.rag.ingest import Indexer, ProgressCallback
from engine.rag.types import IndexProgress, IndexReport, Retrieval, SearchHit
from store import Store
from store.documents import Collection, Document

EmbedderFactory = Callable[[str], Embedder]


class Library:
    """Collections of indexed documents: index, search, list, remove, re-embed."""

    def __init__(
        self,
        store: Store,
        data_dir: str | Path,
        *,
        config: RagConfig | None = None,
        embedder_factory: EmbedderFactory | None = None,
        parse_fn: str | None = None,
    ):
        self.store = store
        self.data_dir = Path(data_dir)
        self.config = config or RagConfig.from_dict(store.settings.get("rag", {}))
        self._factory = embedder_factory or (
            lambda name: make_embedder(name, batch_size=self.config.embed_batch)
        )
        self._embedders: dict[str, Embedder] = {}
        from engine.rag.retrieve import MemoryVectors

        self._lock = threading.Lock()  # one indexing run at a time per Library
        self.vectors = MemoryVectors(busy=self._lock.locked)  # large collections, fast search
        self.parse_fn = parse_fn  # "module:function" to replace the parser (tests)

    # -- models ------------------------------------------------------------------------
    def default_embedding_model(self) -> str:
        """The model new collections are built with: the configured one, 'auto' decided
        (embed.auto_model)."""
        return self._concrete(self.config.embedding_model)

    def _concrete(self, name: str | None) -> str:
        """A model name with 'auto' (or none: the configured model) decided; every name
        the library is given passes here."""
        name = name or self.config.embedding_model
        return auto_model() if name == AUTO_EMBEDDING_MODEL else name

    def embedder(self, model: str | None = None) -> Embedder:
        """The embedder for a model id, folder or hub id (default: the configured model)."""
        name = self._concrete(model)
        key = self._model_id(name)
        if key not in self._embedders:
            self._embedders[key] = self._factory(name)
        return self._embedders[key]

    def _model_id(self, name: str) -> str:
        try:
            return resolve_model(self._concrete(name))[0]
        except Exception:  # noqa: BLE001 - a test double's id is not resolvable
            return name

    # -- collections -------------------------------------------------------------------
    def collections(self) -> list[Collection]:
        return self.store.documents.collections()

    def collection(self, name: str) -> Collection:
        col = self.store.documents.collection(name)
        if col is None:
            raise not_found(
                "collection",
                name,
                [c.name for c in self.collections()],
                f"Index files into it with `sastre index PATH --collection {name}`.",
                CollectionNotFoundError,
            )
        return col

    def remove_collection(self, name: str) -> Collection:
        col = self.collection(name)
        self.store.documents.remove_collection(name)
        self.vectors.drop(col.id)
        return col

    def documents(self, collection: str | None = None, status: str | None = None) -> list[Document]:
        cid = self.collection(collection).id if collection else None
        return self.store.documents.documents(cid, status)

    def remove_document(self, path: str | os.PathLike, collection: str = "default") -> None:
        col = self.collection(collection)
        p = os.path.abspath(os.fspath(path))
        if not self.store.documents.remove_document(col, p):
            raise DocumentNotFoundError(
                f"{p} is not in collection '{collection}'. See `sastre docs list --collection "
                f"{collection}`."
            )

    # -- indexing ----------------------------------------------------------------------
    def index(
        self,
        paths: Sequence[str | os.PathLike],
        collection: str = "default",
        *,
        embedding_model: str | None = None,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        pause: threading.Event | None = None,
    ) -> IndexReport:
        """Bring a collection up to date with files and folders (recursively).

        Only new or changed files are parsed; files deleted under an indexed
        folder are removed. `progress` is called from this thread.
        """
        with self._lock:
            indexer = Indexer(
                self.store,
                collection,
                self.embedder,
                self.config,
                embedding_model=self._concrete(embedding_model) if embedding_model else None,
                parse_fn=self.parse_fn,
            )
            return indexer.run(paths, progress=progress, cancel=cancel, pause=pause)

    def reembed(
        self,
        collection: str,
        embedding_model: str,
        progress: Callable[[int, int], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> Collection:
        """Re-embed every chunk with another model; the old vectors stay until it is done."""
        from engine.rag.ingest import embed_text

        col = self.collection(collection)
        emb = self.embedder(embedding_model)
        docs = self.store.documents
        table = docs.new_vec_table(col, emb.dimension)
        total, done = docs.chunk_count(col.id), 0
        try:
            for rows in docs.iter_chunks(col.id, batch=self.config.embed_batch * 4):
                if cancel is not None and cancel.is_set():
                    docs.drop_table(table)
                    return col
                texts = [embed_text(r.title, _as_chunk(r)) for r in rows]
                docs.add_vectors(table, emb.dimension, [r.id for r in rows], emb.embed(texts))
                done += len(rows)
                if progress:
                    progress(done, total)
        except BaseException:
            docs.drop_table(table)
            raise
        docs.swap_vec_table(col, table, emb.model_id, emb.dimension)
        return self.collection(collection)

    # -- search ------------------------------------------------------------------------
    def _query_embedder(self, col: Collection, embedding_model: str | None) -> Embedder:
        if embedding_model is not None and self._model_id(embedding_model) != col.embedding_model:
            raise EmbeddingModelMismatchError(
                f"Collection '{col.name}' was built with embedding model {col.embedding_model} "
                f"({col.dimension} dimensions); it cannot be searched with "
                f"{self._model_id(embedding_model)}. Leave out --embedding-model, or re-embed it: "
                f"sastre collections reembed {col.name} --embedding-model {embedding_model}"
            )
        return self.embedder(col.embedding_model)

    def search(
        self,
        query: str,
        collection: str = "default",
        k: int | None = None,
        *,
        mode: str = "hybrid",
        embedding_model: str | None = None,
    ) -> list[SearchHit]:
        """The k best chunks for a query (mode: 'hybrid', 'vector' or 'bm25')."""
        from engine.rag.retrieve import search

        col = self.collection(collection)
        emb = self._query_embedder(col, embedding_model) if mode != "bm25" else None
        return search(
            self.store,
            col,
            emb,
            query,
            k=k or self.config.top_k,
            config=self.config,
            mode=mode,
            memory=self.vectors,
        )

    def retrieve(
        self, question: str, collection: str = "default", *, embedding_model: str | None = None
    ) -> Retrieval:
        """Sources for a cited answer, with whether they plausibly contain it."""
        from engine.rag.retrieve import retrieve_for_answer

        col = self.collection(collection)
        emb = self._query_embedder(col, embedding_model)
        _ = emb.dimension  # load the model first: retrieval_ms measures retrieval only
        return retrieve_for_answer(self.store, col, emb, question, self.config, self.vectors)

    def watcher(
        self,
        paths: Sequence[str | os.PathLike],
        collection: str = "default",
        *,
        interval_s: float = 2.0,
        embedding_model: str | None = None,
    ):
        """A polling watcher that keeps paths in sync (see engine.rag.watch.Watcher)."""
        from engine.rag.watch import Watcher

        return Watcher(
            self, paths, collection, interval_s=interval_s, embedding_model=embedding_model
        )


def _as_chunk(row):
    from engine.rag.types import Chunk

    return Chunk(row.seq, row.text, row.page, row.heading, 0, 0, 0, context=row.context)


__all__ = ["Library", "IndexProgress", "IndexReport", "SearchHit", "Retrieval"]
