from engine.config import GenerationConfig
from engine.prompts import assemble

CFG = GenerationConfig(max_tokens=12, temperature=0.0)


def run(engine, text, **kw):
    events = list(engine.chat.send(text, config=kw.pop("config", CFG), **kw))
    assert events[-1].result is not None
    assert all(e.result is None for e in events[:-1])
    return events


def test_send_streams_and_saves_the_exact_prompt(tiny_engine):
    events = run(tiny_engine, "hello there", system="Be brief.")
    result = events[-1].result
    assert "".join(e.text for e in events) == result.text
    msgs = tiny_engine.store.chats.messages(result.chat_id)
    assert [m.role for m in msgs] == ["user", "assistant"]
    user, answer = msgs
    assert user.content == "hello there"
    assert answer.id == result.message_id and answer.content == result.text
    assert answer.prompt == result.prompt
    assert "Be brief." in answer.prompt and "hello there" in answer.prompt
    assert answer.params["max_tokens"] == 12 and answer.model == "tiny"
    assert answer.generation_tokens == result.generation_tokens > 0
    assert tiny_engine.store.chats.get(result.chat_id).system_prompt == "Be brief."


def test_continuing_a_chat_sends_the_history_and_reuses_the_cache(tiny_engine):
    first = run(tiny_engine, "first question")[-1].result
    second = run(tiny_engine, "second question", chat_id=first.chat_id)[-1].result
    assert second.chat_id == first.chat_id
    assert "first question" in second.prompt and first.text in second.prompt
    assert second.cached_tokens >= first.prompt_tokens
    assert len(tiny_engine.store.chats.messages(first.chat_id)) == 4


def _events(stream):
    events = list(stream)
    assert events[-1].result is not None
    return events


def test_edit_replaces_messages_only_once_the_model_is_ready(tiny_engine):
    import pytest

    from engine.errors import USER_ERRORS

    first = run(tiny_engine, "first question")[-1].result
    run(tiny_engine, "second question", chat_id=first.chat_id)
    msgs = tiny_engine.store.chats.messages(first.chat_id)
    second_q = msgs[2].id
    with pytest.raises(USER_ERRORS):  # the model cannot load: nothing is lost
        _events(tiny_engine.chat.edit(second_q, "second, edited", config=CFG, model="ghost"))
    assert [m.id for m in tiny_engine.store.chats.messages(first.chat_id)] == [m.id for m in msgs]
    again = _events(tiny_engine.chat.edit(second_q, "second, edited", config=CFG))
    result = again[-1].result
    assert "second question" not in result.prompt and "first question" in result.prompt
    now = tiny_engine.store.chats.messages(first.chat_id)
    assert [m.content for m in now[:3]] == ["first question", first.text, "second, edited"]
    assert len(now) == 4 and now[3].id == result.message_id and now[3].content == result.text


def test_regenerate_keeps_every_version_with_its_own_stats_and_rating(tiny_engine):
    import pytest

    from engine.errors import USER_ERRORS

    chat = tiny_engine.chat
    first = run(tiny_engine, "first question")[-1].result
    run(tiny_engine, "second question", chat_id=first.chat_id)
    tiny_engine.store.feedback.rate(first.message_id, -1, correction="Better.")
    with pytest.raises(USER_ERRORS):  # a model that fails to load loses nothing
        _events(chat.regenerate(first.message_id, config=CFG, model="ghost"))
    assert len(tiny_engine.store.chats.messages(first.chat_id)) == 4
    hot = GenerationConfig(max_tokens=5, temperature=1.0, seed=7)
    again = _events(chat.regenerate(first.message_id, config=hot))[-1].result
    assert again.chat_id == first.chat_id and again.message_id != first.message_id
    assert "first question" in again.prompt and "second question" not in again.prompt
    shown = tiny_engine.store.chats.messages(first.chat_id)
    # The later turn went; the question now shows its new answer.
    assert [m.id for m in shown] == [shown[0].id, again.message_id]
    versions = chat.versions(again.message_id)
    assert [v.message_id for v in versions] == [first.message_id, again.message_id]
    assert [v.shown for v in versions] == [False, True]
    assert versions[0].generation_tokens == first.generation_tokens
    assert versions[1].generation_tokens == again.generation_tokens <= 5
    # The rating stays with its own version.
    assert versions[0].rating == -1 and versions[1].rating is None
    assert tiny_engine.store.feedback.get(first.message_id).correction == "Better."
    picked = chat.prefer(again.message_id, 0)
    assert picked.preferred and picked.shown and picked.preferred_at
    versions = chat.versions(first.message_id)
    assert [v.preferred for v in versions] == [True, False]
    assert [v.rating for v in versions] == [-1, -1]  # the user's own rating stands
    assert tiny_engine.store.chats.messages(first.chat_id)[-1].id == first.message_id


def test_no_save_writes_nothing(tiny_engine):
    result = run(tiny_engine, "private", save=False)[-1].result
    assert result.chat_id is None and result.message_id is None
    assert tiny_engine.store.chats.list() == []


def test_stopping_early_keeps_the_partial_answer(tiny_engine):
    stream = tiny_engine.chat.send("hello", config=GenerationConfig(max_tokens=100, temperature=0))
    got = [next(stream).text for _ in range(3)]
    stream.close()  # what a caller breaking out of the loop (Ctrl-C) does
    chat = tiny_engine.store.chats.list()[0]
    answer = tiny_engine.store.chats.messages(chat.id)[-1]
    assert answer.role == "assistant" and answer.finish_reason == "cancelled"
    assert answer.content.startswith("".join(got))


def test_history_drops_whole_old_turns():
    history = []
    for i in range(5):
        history += [
            {"role": "user", "content": f"q{i} " * 10},
            {"role": "assistant", "content": f"a{i} " * 10},
        ]

    def count(msgs):
        return sum(len(m["content"].split()) for m in msgs)

    def fit(budget):
        return assemble(
            system="sys",
            user="now",
            count_text=lambda t: len(t.split()),
            count_messages=count,
            budget=budget,
            history=history,
        ).messages

    msgs = fit(50)
    assert msgs[0] == {"role": "system", "content": "sys"}
    assert msgs[-1] == {"role": "user", "content": "now"}
    assert count(msgs) <= 50
    assert msgs[1]["role"] == "user" and msgs[1]["content"].startswith("q3")
    # Too small for any history: system and the new message are still sent.
    assert fit(1) == [msgs[0], msgs[-1]]


def test_an_answers_sentences_are_saved_with_it(tiny_engine):
    from engine.turn import SavedQuestion

    chat = tiny_engine.chat
    result = run(tiny_engine, "first question")[-1].result
    plan = chat.plan("first question", chat_id=result.chat_id)
    saved = SavedQuestion(result.chat_id, tiny_engine.store.chats.messages(result.chat_id)[0].id)
    result.sentences = [{"text": "It is so.", "sources": [], "support": 0.2}]
    chat._save_answer(plan, saved, result)
    stored = tiny_engine.store.chats.message(result.message_id)
    assert stored.sentences == result.sentences
