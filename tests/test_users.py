"""Each person sees only their own work: logins from a file of hashed passwords (or a trusted
proxy's header), and two users trying every way to reach the other's interviews (resume, the
report's picker, export by id, appeal by id, and each button by id) through the page's API and
the command line: every one refused, in the same words as an id that doesn't exist."""

import io
import json
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError, AuthenticationError

import app
from interviewer.llm.chat import FakeChat
from interviewer.messages import say
from interviewer.storage import users
from interviewer.storage.history import History
from interviewer.storage.session import LOCAL, SessionOptions
from interviewer.web import access, handlers, layout, requested_notes, server, ui
from interviewer.web.access import Refused
from interviewer.web.workspace import Coach
from knowledge.index.embedder import FakeEmbedder
from tests.conftest import HANG

NOTES = Path(__file__).parent / "fixtures" / "notes"
ANSWER = "Dropout randomly zeroes activations during training, which reduces co-adaptation."
PASSWORDS = {"ann": "ann-secret-1", "bob": "bob-secret-2"}


def test_the_logins_file_keeps_salted_hashes_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "etc" / "users"
    monkeypatch.setenv("COACH_USERS_FILE", str(path))
    for name, password in PASSWORDS.items():
        monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
        assert app.main(["user", "add", name, "--password-stdin"]) == 0
    text = path.read_text()
    assert "ann-secret" not in text and text.count(":scrypt:") == 2
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert users.verify(path, "ann", "ann-secret-1") and not users.verify(path, "ann", "bob-secret-2")
    assert not users.verify(path, "carol", "ann-secret-1")
    ann_salt = text.split("\n")[0].split(":")[5]
    users.add(path, "bob", "bob-secret-3")  # a new password, the other user untouched
    assert users.verify(path, "bob", "bob-secret-3") and not users.verify(path, "bob", "bob-secret-2")
    assert path.read_text().split("\n")[0].split(":")[5] == ann_salt
    capsys.readouterr()
    for bad, why in [(LOCAL, "one user of a coach run without logins"), ("../x", "can't be a user name")]:
        monkeypatch.setattr(sys, "stdin", io.StringIO("long-enough\n"))
        assert app.main(["user", "add", bad, "--password-stdin"]) == 2
        assert why in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert app.main(["user", "add", "carol", "--password-stdin"]) == 2
    assert app.main(["user", "list"]) == 0 and capsys.readouterr().out.split() == ["ann", "bob"]
    assert app.main(["user", "remove", "bob"]) == 0 and users.names(path) == ["ann"]
    assert users.from_header(" ann ") == "ann" and users.from_header(LOCAL) is None
    assert users.from_header(None) is None and users.from_header("a b") is None


@pytest.fixture
def classroom(data_dir: Path, tmp_path: Path) -> Iterator[tuple[str, Coach]]:
    """The page with logins on, on 127.0.0.1; ann and bob can log in."""
    logins = tmp_path / "users"
    for name, password in PASSWORDS.items():
        users.add(logins, name, password)
    coach = Coach(data_dir, FakeEmbedder, lambda: FakeChat())
    demo = ui.build(coach, NOTES)
    server.serve(demo, coach, users_file=logins, prevent_thread_lock=True, quiet=True)
    try:
        assert demo.local_url
        yield demo.local_url, coach
    finally:
        demo.close()


def login(url: str, name: str) -> Client:
    # httpx's own 5 s would call a login on a busy machine hung: HANG guards a real hang
    return Client(url, auth=(name, PASSWORDS[name]), verbose=False, httpx_kwargs={"timeout": HANG})


def start(client: Client, questions: int = 2) -> str:
    client.predict("Sample notes", "", None, api_name="/load_notes")
    return str(client.predict([], questions, 0, "auto", False, api_name="/start")[0])


def refused(call: object) -> str:
    """The message of an event the server refused."""
    assert isinstance(call, pytest.ExceptionInfo)
    return str(call.value)


def test_two_users_cannot_reach_each_others_interviews(
    classroom: tuple[str, Coach], data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, coach = classroom
    with pytest.raises(AuthenticationError):
        Client(url, verbose=False)  # no login, no page
    with pytest.raises(ValueError, match="Could not login"):  # a wrong password
        Client(url, auth=("ann", PASSWORDS["bob"]), verbose=False)
    ann, bob = login(url, "ann"), login(url, "bob")
    done = start(ann)  # ann's finished interview, with an appeal
    ann.predict(done, ANSWER, api_name="/answer")
    ann.predict(done, 8.5, "I named both points", api_name="/appeal")
    ann.predict(done, api_name="/end")
    open_one = start(ann)  # and one she left open
    ann.predict(open_one, ANSWER, api_name="/answer")
    before = {s.id: s.model_dump_json() for s in History(coach.db, "ann").sessions()}
    assert set(before) == {done, open_one}

    # resume: bob has nothing to resume, whatever ann left open
    with pytest.raises(AppError, match="No unfinished interview"):
        bob.predict(api_name="/resume")
    # the report's picker: bob's own interview only
    mine = start(bob, questions=1)
    bob.predict(mine, ANSWER, api_name="/answer")
    out = dict(zip((*layout.PAGE, *layout.REPORT, "due"), bob.predict(mine, api_name="/end"), strict=True))
    picker = out["pick"]
    assert isinstance(picker, dict) and [c[1] for c in picker["choices"]] == [mine]
    assert not any(sid in str(out["past"]) for sid in before)
    # export by id, appeal by id, and every button by id: refused, as an id that isn't there
    nobody = "0123456789ab"
    for theirs in (done, open_one):
        for api, args in [
            ("/transcripts", ()),
            ("/appeal", (10, "mine now")),
            ("/answer", ("bob's words",)),
            ("/hint", ()),
            ("/skip", ()),
            ("/model_answer", ()),
            ("/end", ()),
        ]:
            with pytest.raises(AppError) as taken:
                bob.predict(theirs, *args, api_name=api)
            with pytest.raises(AppError) as made_up:
                bob.predict(nobody, *args, api_name=api)
            assert refused(taken) == refused(made_up).replace(nobody, theirs), api
            assert f"No saved interview {theirs} of yours" in refused(taken), api
    # ann's interviews are as she left them, and hers to go on with
    assert {s.id: s.model_dump_json() for s in History(coach.db, "ann").sessions()} == before
    resumed = ann.predict(api_name="/resume")
    assert resumed[0] == open_one
    # the page's own functions, as the events call them
    assert [c[1] for c in handlers.history(coach, user="bob").choices] == [mine]
    with pytest.raises(handlers.UserError, match=f"No saved interview {done} of yours"):
        handlers.export(coach, done, "md", user="bob")

    # the command line: --user scopes every command that reads the history
    capsys.readouterr()
    for command in (["export", done], ["report", done]):
        assert app.main([*command, "--user", "bob"]) == 2
        theirs_err = capsys.readouterr().err
        assert app.main([command[0], nobody, "--user", "bob"]) == 2
        assert theirs_err == capsys.readouterr().err.replace(nobody, done)
    assert app.main(["report", "--user", "bob", "--json"]) == 0
    assert [s["id"] for s in json.loads(capsys.readouterr().out)] == [mine]
    assert app.main(["export", done, "--user", "ann"]) == 0 and ANSWER in capsys.readouterr().out
    assert app.main(["eval", "--appeals", "--user", "bob", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["count"] == 0
    assert app.main(["eval", "--appeals", "--user", "ann", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["count"] == 1  # hers, and only hers


def test_a_trusted_proxy_names_the_user(data_dir: Path) -> None:
    coach = Coach(data_dir, FakeEmbedder, lambda: FakeChat())
    demo = ui.build(coach, NOTES)
    server.serve(demo, coach, user_header="X-Forwarded-User", prevent_thread_lock=True, quiet=True)
    try:
        with pytest.raises(Exception, match="401|credentials|Unauthorized|login"):
            Client(demo.local_url, verbose=False)  # no header: nobody, no page
        ann = Client(demo.local_url, headers={"X-Forwarded-User": "ann"}, verbose=False)
        sid = start(ann, questions=1)
        bob = Client(demo.local_url, headers={"X-Forwarded-User": "bob"}, verbose=False)
        with pytest.raises(AppError, match="of yours"):
            bob.predict(sid, 10, "", api_name="/appeal")
        assert [s.id for s in History(coach.db, "ann").sessions()] == [sid]
        assert History(coach.db).sessions() == []  # nothing went to the local user
    finally:
        demo.close()


def test_in_a_class_a_server_folder_is_not_yours_to_open(classroom: tuple[str, Coach]) -> None:
    url, coach = classroom
    ann = login(url, "ann")
    with pytest.raises(AppError, match="not a server folder"):
        ann.predict("A folder on this computer", str(NOTES), None, api_name="/load_notes")
    # nor can a start name one: an upload of bob's, say
    bobs = coach.data_dir / "users" / "bob" / "uploads" / "x"
    bobs.mkdir(parents=True)
    (bobs / "n.md").write_text("## What is bob's secret?\n- It is in bob's notes only\n")
    with pytest.raises(Refused, match="aren't yours"):
        handlers.start(coach, str(bobs), SessionOptions(), user="ann")
    session, _ = handlers.start(coach, str(bobs), SessionOptions(questions=1), user="bob")  # his own
    assert session.user == "bob"


def test_a_start_is_for_the_course_notes_or_the_own_upload_the_tab_asked_for(data_dir: Path) -> None:
    coach = Coach(data_dir, FakeEmbedder, lambda: FakeChat())
    anns = access.folder(coach, "ann") / "uploads"
    assert requested_notes.root(coach, "course:ml101", None, NOTES, anns) == "course:ml101"
    assert requested_notes.name("course:ml101", NOTES, anns, "en") == "ml101"
    assert requested_notes.root(coach, "course:", None, NOTES, anns) == ""  # none picked: Start's own notes
    assert coach.ready("course:ml101")  # nothing to index: Start says nothing of indexing
    upload = requested_notes.root(coach, "upload", [str(NOTES / "deep_learning.md")], NOTES, anns)
    assert Path(upload).parent == anns.resolve()  # hers, where check_notes lets her start on it
    assert requested_notes.name(upload, NOTES, anns, "zh") == say("zh", "notes_uploaded")
    access.check_notes(coach, upload, "ann")
    with pytest.raises(Refused):
        access.check_notes(coach, upload, "bob")


def test_a_login_on_one_replica_is_honoured_by_another(data_dir: Path, tmp_path: Path) -> None:
    """Without logins kept in the database, B would not know A's login (Gradio keeps it in
    memory, under a cookie named at random per process) and would answer 401."""
    logins = tmp_path / "users"
    users.add(logins, "ann", PASSWORDS["ann"])
    demos = []
    try:
        for _ in ("a", "b"):  # two replicas' worth of app on one database (here the data folder's)
            coach = Coach(data_dir, FakeEmbedder, lambda: FakeChat())
            demo = ui.build(coach, NOTES)
            server.serve(demo, coach, users_file=logins, prevent_thread_lock=True, quiet=True)
            demos.append(demo)
        a, b = (str(d.local_url) for d in demos)
        ann = login(a, "ann")
        sid = start(ann, questions=1)
        wait: dict[str, object] = {"timeout": HANG, "cookies": ann.cookies}
        same = Client(b, verbose=False, httpx_kwargs=wait)  # A's cookie, B's door: no new login
        assert same.predict(api_name="/resume")[0] == sid
        with pytest.raises(AuthenticationError):
            Client(b, verbose=False, httpx_kwargs={"timeout": HANG, "cookies": {"x": "y"}})
    finally:
        for demo in demos:
            demo.close()
