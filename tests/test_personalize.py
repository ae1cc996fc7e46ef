"""Personalization: prompt assembly, memories, personas, feedback examples, CLI."""

import json

import pytest

from desktop.cli import main
from engine.config import GenerationConfig
from engine.feedback import FeedbackMatches, chunk_weights, reweight_hits, similar_feedback
from engine.personalize import PersonalizeConfig, propose_memories, split_reasoning
from engine.prompts import Avoid, Example, assemble, format_parts
from store import Store
from store.chats import Message
from store.errors import StoreError
from store.personas import Persona
from tests.fakes import HashEmbedder

CFG = GenerationConfig(max_tokens=6, temperature=0.0)


def words(text: str) -> int:
    return len(text.split())


def count_msgs(msgs) -> int:
    return sum(words(m["content"]) + 2 for m in msgs)


def build(**kw):
    args = dict(
        system="You are kind.",
        user="How do I boil an egg?",
        count_text=words,
        count_messages=count_msgs,
        budget=1000,
    )
    return assemble(**{**args, **kw})


# -- assembly: pure and deterministic ---------------------------------------------------------


def test_assembly_order_parts_and_exact_token_total():
    plan = build(
        technique="Output format: bullets",
        memories=["I am a nurse", "Answer in Spanish"],
        examples=[Example("Fry an egg?", "- Heat oil\n- Crack egg", "liked", 0.9, 1)],
        avoid=[Avoid("Poach an egg?", "No idea.", "useless", 0.8)],
        history=[{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}],
    )
    roles = [m["role"] for m in plan.messages]
    assert roles == ["system", "user", "assistant", "user", "assistant", "user"]
    sys_text = plan.messages[0]["content"]
    for piece in ("You are kind.", "Output format: bullets", "- I am a nurse", "No idea."):
        assert piece in sys_text
    assert plan.messages[1:3] == [
        {"role": "user", "content": "Fry an egg?"},
        {"role": "assistant", "content": "- Heat oil\n- Crack egg"},
    ]
    names = [p.name for p in plan.parts]
    assert names == [
        "system",
        "technique",
        "memories",
        "avoid",
        "example",
        "history",
        "history",
        "user",
        "template",
    ]
    assert sum(p.tokens for p in plan.parts) == count_msgs(plan.messages)  # nothing unaccounted
    assert plan.parts[4].detail == "liked, similarity 0.90"
    assert build().messages == build().messages  # deterministic
    assert "total:" in format_parts(plan.parts)


def test_budgets_drop_examples_memories_and_old_history():
    long = " ".join(["word"] * 50)
    plan = build(
        examples=[
            Example("q1", long, "liked", 0.9),  # 51+ tokens: over the example budget
            Example("q2", "short answer", "liked", 0.8),
        ],
        memories=["m one", long, "m three"],
        example_budget=30,
        memory_budget=10,
    )
    contents = [m["content"] for m in plan.messages]
    assert "short answer" in contents and long not in contents
    assert "m one" in contents[0] and "m three" not in contents[0]  # stops at the first miss
    history = [
        {"role": "user", "content": long},
        {"role": "assistant", "content": long},
        {"role": "user", "content": "recent"},
        {"role": "assistant", "content": "reply"},
    ]
    plan = build(history=history, budget=40)
    assert [m["content"] for m in plan.messages[1:-1]] == ["recent", "reply"]


def test_rag_question_is_split_from_sources():
    plan = build(user="Sources:\n<source>x</source>\n\nQuestion: why?", question="why?")
    assert [p.name for p in plan.parts][-3:] == ["sources", "user", "template"]


def test_split_reasoning():
    assert split_reasoning("2+2: add them.\nAnswer: 4") == ("2+2: add them.", "4")
    assert split_reasoning("Just 4") == ("", "Just 4")
    assert split_reasoning("Sumo.\nRespuesta: 4")[1] == "4"


def test_memory_proposals_english_and_spanish():
    assert propose_memories("Hi! I am a nurse in Madrid. What is a good diet?") == [
        "I am a nurse in Madrid"
    ]
    assert propose_memories("I prefer short answers, please") == ["I prefer short answers"]
    assert propose_memories("Please answer in Spanish from now on") == [
        "Answer in Spanish from now on"
    ]
    assert propose_memories("Soy enfermera, vivo en Madrid. ¿Qué como?") == [
        "Soy enfermera",
        "Vivo en Madrid",
    ]
    assert propose_memories("Respóndeme siempre en español.") == ["Respóndeme siempre en español"]
    assert propose_memories("Vivo en Sevilla.") == ["Vivo en Sevilla"]
    assert propose_memories("What is the capital of France?") == []


# -- store -----------------------------------------------------------------------------------


@pytest.fixture
def store(data_dir):
    s = Store.open(data_dir)
    yield s
    s.close()


def _rated(store, question, answer, rating, **kw):
    chat = store.chats.create(title=question)
    q = store.chats.add_message(Message(None, chat, "user", question))
    a = store.chats.add_message(Message(None, chat, "assistant", answer, model="m", parent_id=q))
    store.feedback.rate(a, rating, **kw)
    return a


def test_personas_crud(store):
    p = store.personas.add(
        Persona("cook", "Only cooking.", examples=[{"user": "a", "assistant": "b"}])
    )
    assert p.examples == [{"user": "a", "assistant": "b"}] and p.use_feedback
    with pytest.raises(StoreError):
        store.personas.add(Persona("cook"))
    p.chain_of_thought, p.name = True, "chef"
    assert store.personas.update("cook", p).chain_of_thought
    assert store.personas.get("cook") is None
    assert store.personas.duplicate("chef", "chef2").system_prompt == "Only cooking."
    assert [x.name for x in store.personas.list()] == ["chef", "chef2"]
    assert store.personas.delete("chef2") and not store.personas.delete("chef2")


def test_memories_crud(store):
    mid = store.memories.add("I am a nurse", status="proposed")
    assert store.memories.add("i am a NURSE") == mid  # the same fact is one memory
    assert store.memories.list("accepted") == []
    store.memories.update(mid, text="I am a nurse in Madrid")
    store.memories.accept(mid)
    assert [m.text for m in store.memories.list("accepted")] == ["I am a nurse in Madrid"]
    assert store.memories.delete(mid) and store.memories.list() == []


def test_feedback_export_and_similar_questions(store):
    _rated(store, "how do I boil an egg", "- boil water\n- add egg", 1)
    _rated(store, "how do I poach an egg", "no idea", -1, reason="useless", correction="Simmer it.")
    _rated(store, "what is the tax rate in spain", "21%", 1)
    rows = store.feedback.export()
    assert [r["rating"] for r in rows] == ["up", "down", "up"]
    assert set(rows[1]) >= {
        "prompt",
        "answer",
        "rating",
        "reason",
        "correction",
        "model",
        "adapter",
    }
    assert rows[1]["correction"] == "Simmer it."

    emb = HashEmbedder(64)
    cfg = PersonalizeConfig(min_similarity=0.3)
    m = similar_feedback(store, lambda: emb, "how do I boil an egg quickly", cfg)
    assert m.liked[0].assistant == "- boil water\n- add egg"
    assert any(e.source == "corrected" and e.assistant == "Simmer it." for e in m.liked)
    assert m.avoid[0].answer == "no idea" and m.avoid[0].reason == "useless"
    assert all("tax" not in e.user for e in m.liked)
    # Vectors are cached: a second lookup embeds nothing new.
    table = store.feedback.vector_table(emb.model_id, emb.dimension)
    assert store.feedback.missing_vectors(table) == []


def test_no_feedback_means_no_embedder(store):
    def boom():
        raise AssertionError("the embedding model must not load")

    assert similar_feedback(store, boom, "anything", PersonalizeConfig()).liked == []


def test_chunk_weights_are_bounded_and_reversible(store):
    from store.feedback import Feedback

    up = Feedback(1, None, None, 1, chunk_ids=[10, 11])
    down = Feedback(2, None, None, -1, chunk_ids=[11, 12])
    w = chunk_weights([(up, 0.9), (down, 0.9), (down, 0.9)], cap=0.3)
    assert w[10] == pytest.approx(0.27) and w[12] == -0.3 and -0.3 <= w[11] < 0
    assert chunk_weights([(up, 0.9)], cap=0.0) == {}

    class Hit:
        def __init__(self, cid, score):
            self.chunk_id, self.score = cid, score

    hits = [Hit(12, 1.0), Hit(11, 0.9), Hit(10, 0.8)]
    assert [h.chunk_id for h in reweight_hits(hits, w, 0.3)] == [10, 11]  # 12 dropped
    assert reweight_hits(hits, {}, 0.3) == hits


# -- the chat service ------------------------------------------------------------------------


def test_chat_uses_persona_memories_and_liked_answers(tiny_engine):
    eng = tiny_engine
    eng.chat.embedder = lambda: HashEmbedder(64)
    eng.store.personas.add(
        Persona(
            "cook",
            "Answer only about cooking.",
            output_format="bullets",
            examples=[{"user": "Salt?", "assistant": "- A pinch"}],
        )
    )
    eng.store.memories.add("I am a nurse")
    eng.store.memories.add("I live on the moon", status="proposed")  # not accepted: left out
    _rated(eng.store, "how do I boil an egg", "EGG-STYLE answer", 1)

    events = list(eng.chat.send("how do I boil an egg fast", persona="cook", config=CFG))
    first = next(e for e in events if e.parts is not None)
    res = events[-1].result
    assert first.parts == res.prompt_parts
    names = [p["name"] for p in res.prompt_parts]
    assert names[:3] == ["system", "technique", "memories"]
    assert names.count("example") == 2 and names[-2:] == ["user", "template"]
    assert "EGG-STYLE answer" in res.prompt and "I am a nurse" in res.prompt
    assert "moon" not in res.prompt and "Answer only about cooking." in res.prompt
    assert sum(p["tokens"] for p in res.prompt_parts) == res.prompt_tokens
    saved = eng.store.chats.message(res.message_id)
    assert saved.prompt_parts == res.prompt_parts and saved.persona == "cook"
    assert eng.store.chats.get(res.chat_id).persona == "cook"

    plain = list(eng.chat.send("how do I boil an egg fast", personalize=False, config=CFG))
    assert "EGG-STYLE" not in plain[-1].result.prompt and "nurse" not in plain[-1].result.prompt

    # Continuing the chat keeps its persona.
    more = list(eng.chat.send("and a duck egg?", chat_id=res.chat_id, config=CFG))[-1].result
    assert more.persona == "cook"


def test_chat_proposes_memories(tiny_engine):
    res = list(tiny_engine.chat.send("I am a nurse in Madrid. Hello!", config=CFG))[-1].result
    mems = tiny_engine.store.memories.list()
    assert [(m.text, m.status) for m in mems] == [("I am a nurse in Madrid", "proposed")]
    assert res.memories_proposed == [mems[0].id]


def test_unknown_persona_is_a_clear_error(tiny_engine):
    from engine.errors import SastreError

    with pytest.raises(SastreError, match="personas list"):
        list(tiny_engine.chat.send("hi", persona="nope", config=CFG))


def test_builtin_personas_are_seeded_once(tiny_engine):
    from engine.personalize import ensure_builtin_personas

    ensure_builtin_personas(tiny_engine.store)
    names = {p.name for p in tiny_engine.store.personas.list()}
    assert {"document-assistant", "asistente-es", "concise-coder"} <= names
    tiny_engine.store.personas.delete("concise-coder")
    ensure_builtin_personas(tiny_engine.store)
    assert tiny_engine.store.personas.get("concise-coder") is None


# -- CLI -------------------------------------------------------------------------------------


def sastre(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_feedback_personas_memory_and_show_prompt(capsys, data_dir, tiny_model_dir):
    d = ("--data-dir", data_dir)
    assert sastre(capsys, "models", "import", tiny_model_dir, "--name", "tiny", *d)[0] == 0
    assert sastre(capsys, "models", "default", "tiny", *d)[0] == 0

    code, out, err = sastre(capsys, "memory", "add", "I prefer short answers", *d)
    assert code == 0 and "Remembered" in out
    code, out, err = sastre(
        capsys,
        "personas",
        "add",
        "pirate",
        "--system",
        "Talk like a pirate.",
        "--cot",
        "on",
        "--example",
        "Hi",
        "Arr, hi!",
        *d,
    )
    assert code == 0, err
    code, out, _ = sastre(capsys, "personas", "show", "pirate", "--json", *d)
    p = json.loads(out)
    assert p["chain_of_thought"] and p["examples"] == [{"user": "Hi", "assistant": "Arr, hi!"}]
    assert sastre(capsys, "personas", "edit", "pirate", "--rename", "corsair", *d)[0] == 0
    code, out, _ = sastre(capsys, "personas", "list", *d)
    assert "corsair" in out and "asistente-es" in out and "pirate" not in out

    code, out, err = sastre(
        capsys,
        "chat",
        "Hello",
        "--persona",
        "corsair",
        "--show-prompt",
        "--max-tokens",
        "4",
        "--temperature",
        "0",
        *d,
    )
    assert code == 0, err
    assert out.index("── system") < out.index("── total:")
    assert "Talk like a pirate." in out and "I prefer short answers" in out and "Arr, hi!" in out
    code, out, err = sastre(
        capsys,
        "chat",
        "Hello",
        "--json",
        "--show-prompt",
        "--max-tokens",
        "4",
        "--temperature",
        "0",
        *d,
    )
    res = json.loads(out)
    assert "<|" in res["prompt"]["text"] or "Hello" in res["prompt"]["text"]
    assert res["prompt"]["parts"][-1]["name"] == "template"
    mid = res["message_id"]

    code, out, err = sastre(
        capsys, "feedback", mid, "down", "--reason", "too long", "--correction", "Hi.", *d
    )
    assert code == 0, err
    code, out, _ = sastre(capsys, "feedback", "export", *d)
    rec = json.loads(out.strip().splitlines()[0])
    assert (rec["prompt"], rec["rating"], rec["reason"], rec["correction"]) == (
        "Hello",
        "down",
        "too long",
        "Hi.",
    )
    assert rec["model"] == "tiny"
    assert sastre(capsys, "feedback", "nope", "up", *d)[0] == 1
    assert sastre(capsys, "feedback", 99999, "up", *d)[0] == 1

    code, out, _ = sastre(capsys, "memory", "list", "--json", *d)
    mem = json.loads(out)[0]
    assert sastre(capsys, "memory", "rm", mem["id"], *d)[0] == 0
    assert sastre(capsys, "memory", "rm", mem["id"], *d)[0] == 1
    assert sastre(capsys, "personas", "rm", "corsair", *d)[0] == 0
    assert sastre(capsys, "personas", "show", "corsair", *d)[0] == 1


def test_feedback_matches_default_is_empty():
    assert FeedbackMatches().liked == [] and FeedbackMatches().avoid == []


def test_feedback_reweights_cited_chunks_reversibly(tiny_engine, tmp_path):
    from engine.rag import Library, RagConfig
    from tests.test_rag_index import fake_embedder

    eng = tiny_engine
    eng._library = Library(
        eng.store, eng.data_dir, config=RagConfig(workers=1), embedder_factory=fake_embedder
    )
    eng.chat.embedder = lambda: HashEmbedder(64)
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("Apple trees are pruned in late winter, before the buds open.")
    (folder / "b.txt").write_text("Prune apple trees in winter; the orchard manual says February.")
    assert eng.library.index([folder], "orchard").ok
    question = "When are apple trees pruned in winter?"

    def ask():
        return list(eng.chat.send(question, collection="orchard", config=CFG))[-1].result

    first = ask()
    assert len(first.sources) == 2
    from engine.rag.citations import cited_numbers

    saved = eng.store.chats.message(first.message_id).sources
    assert {s["n"] for s in saved if s["cited"]} == cited_numbers(first.text, 2)
    cited = first.sources[0].chunk_id
    # The user dislikes an answer that cited source [1].
    shown = [{**s.to_dict(), "cited": s.n == 1} for s in first.sources]  # as the engine saves
    eng.store.db.execute(
        "UPDATE messages SET content = 'Wrong [1]', sources = ? WHERE id = ?",
        (json.dumps(shown), first.message_id),
    )
    assert eng.store.feedback.rate(first.message_id, -1).chunk_ids == [cited]

    second = ask()
    assert cited not in [s.chunk_id for s in second.sources]  # down-weighted away
    weights = next(p for p in second.prompt_parts if p["name"] == "retrieval weights")
    assert f"chunk {cited}: -0.30" in weights["text"] and weights["tokens"] == 0

    eng.store.feedback.clear(first.message_id)  # reversible: the rating is gone
    third = ask()
    assert cited in [s.chunk_id for s in third.sources]
    assert all(p["name"] != "retrieval weights" for p in third.prompt_parts)
