"""The history and the caches on both backends: the same test functions on a SQLite file and
on PostgreSQL (`database` runs each twice). Each user's rows kept apart, saves from many threads,
the caches, replicas migrating together (the schema itself: test_migrations.py)."""

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from interviewer.grading import calibration
from interviewer.grading.grader import Grader
from interviewer.interview.engine import Engine
from interviewer.llm.chat import FakeChat
from interviewer.llm.followup_drafts import Preparer
from interviewer.llm.question_writer import QuestionWriter, Written
from interviewer.storage.database import Database, connect
from interviewer.storage.history import History, NotYours, Review, StoredCard
from interviewer.storage.migrations import MIGRATIONS
from interviewer.storage.session import LOCAL, Session, SessionOptions, Turn
from knowledge.index.embedder import FakeEmbedder, Kind
from knowledge.index.ingest import index_dir, ingest

NOTES = Path(__file__).parent / "fixtures" / "notes"
ANSWER = "Dropout randomly zeroes activations during training, which reduces co-adaptation."


def session(sid: str, user: str = LOCAL, answers: int = 0) -> Session:
    s = Session(id=sid, user=user, notes="/notes", embedder="fake", options=SessionOptions())
    s.turns = [Turn(item_id=f"i{k}", question=f"q{k}", answer=f"{user}-{k}") for k in range(answers)]
    return s


def test_each_user_sees_only_their_own_rows(database: Database) -> None:
    ann, bob = History(database, "ann"), History(database).of("bob")
    ann.save(session("a1", "ann", answers=2))
    bob.save(session("b1", "bob", answers=1))
    assert [s.id for s in ann.sessions()] == ["a1"] and [s.id for s in bob.sessions()] == ["b1"]
    with pytest.raises(KeyError) as theirs:
        ann.load("b1")
    with pytest.raises(KeyError) as nobodys:
        ann.load("zz")
    assert str(theirs.value).replace("b1", "zz") == str(nobodys.value)  # nothing says that b1 exists
    # a session with another user's id never overwrites theirs
    with pytest.raises(NotYours):
        ann.save(session("b1", "ann", answers=3))
    assert [t.answer for t in bob.load("b1").turns] == ["bob-0"]
    with pytest.raises(NotYours):
        ann.save(session("b2", "bob"))  # a view saves its own user's sessions only
    ann.save_reviews("/notes", [Review("i0", "a1", 1, "2024-01-01T00:00:00+00:00", 10)])
    bob.save_reviews("/notes", [Review("i0", "b1", 4, "2024-01-01T00:00:00+00:00", 10)])
    ann.save_cards("/notes", {"i0": StoredCard("ann's", "2024-01-02")})
    bob.save_cards("/notes", {"i0": StoredCard("bob's", "2024-01-09")})
    assert [r.rating for r in ann.reviews("/notes", "i0")] == [1]
    assert ann.cards("/notes") == {"i0": "ann's"} and bob.cards("/notes") == {"i0": "bob's"}


def test_one_history_saved_from_many_threads_at_once(database: Database) -> None:
    store = History(database)

    def save_many(n: int) -> None:
        s = session(f"s{n}")
        for k in range(40):
            s.turns.append(Turn(item_id=f"i{k}", question=f"q{k}", answer=f"a{n}-{k}"))
            store.save(s)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(save_many, range(8)))  # raises here if two transactions interleaved
    saved = {s.id: s for s in store.sessions()}
    assert len(saved) == 8 and all(len(s.turns) == 40 for s in saved.values())


def test_an_interview_end_to_end_with_its_schedule(database: Database, tmp_path: Path) -> None:
    emb = FakeEmbedder()
    kb, _ = ingest(NOTES, emb, index_dir(tmp_path / "data", NOTES, emb.name))
    engine = Engine(kb, Grader(emb, calibration.load(emb.name)), None, History(database))
    s = engine.start(SessionOptions(questions=2, follow_ups=0, seed=1), user="ann")
    engine.answer(s, ANSWER)
    engine.appeal(s, 9.5, "I named both points")
    engine.end(s)
    ann = History(database, "ann")
    saved = ann.load(s.id)
    assert saved.finished and saved.turns[0].answer == ANSWER and saved.turns[0].appeal is not None
    assert set(engine.schedule_of("ann").cards(s.notes)) == {s.plan[0]}  # the one answered
    assert engine.schedule_of(LOCAL).cards(s.notes) == {} and engine.history.sessions() == []
    assert ann.weakness() and History(database, "bob").weakness() == {}


def test_the_follow_up_cache_is_kept(database: Database) -> None:
    chat = FakeChat(["What does it reduce between neurons?"])
    first = Preparer(chat, database)
    first.prepare("What does dropout do?", ["It reduces co-adaptation"], "en")
    first.wait_quiet()
    later = Preparer(chat, database)  # a restart, or another replica
    fu = later.take("What does dropout do?", "It reduces co-adaptation", "en", wait=0)
    assert fu.from_llm and fu.text == "What does it reduce between neurons?"


def test_the_written_questions_cache_is_kept(database: Database, tmp_path: Path) -> None:
    emb = FakeEmbedder()
    kb, _ = ingest(NOTES, emb, index_dir(tmp_path / "data", NOTES, emb.name))
    item = kb.items[0]
    QuestionWriter(None, emb, database).texts.put("key", "Why drop units?", True, None)
    again = QuestionWriter(None, emb, database)
    assert again._load("key") == Written("Why drop units?", True) and again._load("other") is None
    assert again.wording(item)[1] == "notes"


def test_replicas_starting_together_migrate_once(postgres_url: str) -> None:
    # PostgreSQL only: the advisory lock. Without it two CREATE TABLEs race and one start fails
    go = threading.Barrier(4)

    def start() -> None:
        go.wait()
        connect(postgres_url, None).close()  # the database migrates as it opens

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda _: start(), range(4)))
    db = connect(postgres_url, None)
    names = [r[0] for r in db.rows("SELECT name FROM _migrations ORDER BY name")]
    db.close()
    assert names == sorted(m.__name__ for m in MIGRATIONS)


def test_course_notes_are_indexed_once_and_loaded_anywhere(database: Database, tmp_path: Path) -> None:
    from interviewer.storage.courses import Courses, root
    from knowledge.index.knowledge_base import open_kb

    class Counting(FakeEmbedder):
        texts = 0

        def encode(self, texts: list[str], kind: Kind) -> np.ndarray:
            Counting.texts += len(texts)
            return super().encode(texts, kind)

    admin = tmp_path / "admin"
    folder = index_dir(admin, NOTES, "fake")
    ingest(NOTES, FakeEmbedder(), folder)
    published = Courses(database).publish("ml101", folder)
    assert published.questions == 3 and Courses(database).publish("ml101", folder).digest == published.digest
    assert [p.name for p in Courses(database).listed("fake")] == ["ml101"]
    assert Courses(database).listed("minilm") == []  # built with another embedder: not usable here
    for replica in ("a", "b"):  # two replicas' data folders, nothing indexed in either
        where = Courses(database).fetch("ml101", "fake", tmp_path / replica)
        kb = open_kb(where, Counting())  # checked against the manifest's sha256s, as any index
        assert kb.manifest.notes_root == root("ml101") and len(kb.items) == 3
    assert Counting.texts == 0  # nothing embedded again
    with pytest.raises(KeyError):
        Courses(database).fetch("ml102", "fake", tmp_path / "a")


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("mysql://coach:s3cret@db/coach", "must be a postgresql:// URL, not mysql://coach@db/coach"),
        (
            "postgresql://coach:s3cret@127.0.0.1:1/coach",
            "can't reach PostgreSQL at postgresql://coach@127.0.0.1:1",
        ),
    ],
)
def test_a_database_that_cant_be_used_is_a_message_without_its_password(
    url: str, said: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import app

    monkeypatch.setenv("COACH_DATABASE_URL", url)
    assert app.main(["report"]) == 2
    err = capsys.readouterr().err
    assert said in err and "s3cret" not in err and "Traceback" not in err
