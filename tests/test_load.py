"""20 people at once on one local server: no cross-talk, no lost or doubled turn."""

from pathlib import Path

from devtools import loadtest
from interviewer.storage.history import History

NOTES = Path(__file__).parent / "fixtures" / "notes"
USERS = 20


def test_twenty_concurrent_interviews_stay_apart_and_complete(data_dir: Path) -> None:
    result = loadtest.run(data_dir, NOTES, users=USERS, questions=2)
    assert len({r.session_id for r in result.users}) == USERS
    saved = {s.id: s for s in History(data_dir / "history.sqlite").sessions()}
    for run in result.users:
        # every answer this user sent is in their transcript, once, and nobody else's is
        for text in run.answers:
            assert run.transcript.count(f"**Answer:**\n\n{text}\n") == 1, (run.user, text)
        assert f"user-{run.user}-" in run.transcript
        others = [f"user-{u}-turn" for u in range(USERS) if u != run.user]
        assert not any(marker in run.transcript for marker in others)
        session = saved[run.session_id]
        assert [t.answer for t in session.turns if t.answer is not None] == run.answers
        assert session.finished and all(t.grade for t in session.turns if t.answer)
    print(f"\n{USERS} users, {result.turns} turns: p50 {result.p50_s}s, p95 {result.p95_s}s")
