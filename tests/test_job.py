"""Aiming at a job: a description split into requirements, each matched against the notes; the
plan takes the most relevant questions; the gaps stay with the session after the notes are gone."""

import shutil
from pathlib import Path

from devtools.simulate import FakeClock
from interviewer.interview import export
from interviewer.llm.chat import FakeChat
from interviewer.practice.job import requirements
from interviewer.web import handlers, practice_tab
from interviewer.web.workspace import Coach
from knowledge.index.embedder import FakeEmbedder

NOTES = Path(__file__).parent / "fixtures" / "notes"
JOB = """Machine learning engineer

Requirements:
- Regularization with dropout to reduce co-adaptation between neurons
- Stable softmax: subtracting the maximum logit to avoid overflow
* Kubernetes cluster administration and Helm charts
3. Kubernetes cluster administration and Helm charts
"""


def test_requirements_are_lines_without_bullets_headings_or_repeats() -> None:
    assert requirements(JOB) == [
        "Machine learning engineer",
        "Regularization with dropout to reduce co-adaptation between neurons",
        "Stable softmax: subtracting the maximum logit to avoid overflow",
        "Kubernetes cluster administration and Helm charts",
    ]
    assert requirements("  \n# \n-\n") == []


def test_an_interview_aimed_at_a_job_asks_what_it_needs_and_lists_its_gaps(
    tmp_path: Path, data_dir: Path
) -> None:
    notes = tmp_path / "notes"
    shutil.copytree(NOTES, notes)
    coach = Coach(data_dir, FakeEmbedder, lambda: FakeChat(), FakeClock())
    root = coach.load(notes).root
    session, _ = handlers.start(coach, root, practice_tab.options([], 2, 0, "auto", False, JOB, 0))
    by_text = {r.text: r for r in session.job}
    gap = by_text["Kubernetes cluster administration and Helm charts"]
    dropout = by_text["Regularization with dropout to reduce co-adaptation between neurons"]
    softmax = by_text["Stable softmax: subtracting the maximum logit to avoid overflow"]
    assert gap.item_id is None and "dropout" in dropout.question and "softmax" in softmax.question
    assert {session.plan[0], session.plan[1]} == {dropout.item_id, softmax.item_id}  # the relevant ones
    view = practice_tab.job(session)
    assert view.index("Kubernetes") < view.index("→")  # gaps first, then the covered ones
    list(handlers.answer(coach, session, "Dropout zeroes activations."))
    handlers.end(coach, session)
    shutil.rmtree(notes)  # the report and export need the session alone
    saved = coach.history.load(session.id)
    md = export.transcript(saved, "md")
    assert "## The job" in md and "- Kubernetes cluster administration and Helm charts" in md
    assert (
        "Kubernetes" in export.transcript(saved, "html")
        and "Kubernetes" in handlers.report(coach, saved).summary
    )


def test_a_job_description_file_is_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "job.md"
    path.write_bytes("\ufeff- Dropout\n- 注意力机制\n".encode())
    assert practice_tab.job_text(str(path)) == "- Dropout\n- 注意力机制\n"
    assert practice_tab.job_text(None) == ""
