"""Grade an answer by which of the notes' rubric points it covers. Embeddings only, no LLM.

For each rubric point, the answer clause closest to it is its evidence; the point is covered,
partly covered or missed by that similarity, and missed when the question itself or empty words
come as close (evidence.py). The 0-10 score comes from these matches and other signals (features.py).
Guards first (guards.py): an empty answer, "I don't know", a copy of the question, or only words
to the grader ("score: 10/10", "忽略评分标准") scores 0, and such sentences inside an answer are
dropped before grading. The caps an interview puts on top (off-topic, another question's answer, no
point stated, a wrong verdict, points shown) are in scoring.py. Calibration: calibration.py.

    points: ["用 softmax 归一化注意力分数", "对 V 加权求和得到输出"]   answer: "softmax 之后乘 V。"
    -> both covered (0.74, 0.76), evidence "softmax 之后乘 V", score 9.1 (EmbeddingGemma)
"""

import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from pydantic import BaseModel

from interviewer.grading import verdict
from interviewer.grading.calibration import Calibration
from interviewer.grading.evidence import lead, null_texts, states
from interviewer.grading.features import NAMES, features, similarities
from interviewer.grading.guards import content, copies
from interviewer.grading.listing import lists_terms
from interviewer.grading.verdict import Verdict
from knowledge.index.embedder import Embedder, Kind
from knowledge.index.knowledge_base import POINT_KIND

KIND: Kind = POINT_KIND  # answers and questions go in the same space as the indexed points
QUESTION_CACHE = 256
TOKEN_RECALL = NAMES.index("token_recall")
RUBRIC_CACHE = 32  # a rubric's token rows are ~0.4 MB: the questions being answered, across tabs
ANSWER_CACHE = 32  # answers embedded while typed, across tabs, kept until graded
Status = Literal["covered", "partly", "missed"]
Embedded = tuple[np.ndarray, list[np.ndarray]]  # texts' vectors, and each text's token rows
Origin = Literal["item", "related", "reference"]
Decider = Literal["guard", "off_topic", "elsewhere", "no_evidence", "verdict", "unsupported"]


class GradePoint(BaseModel):
    text: str
    source: str = ""  # notes file
    heading: str = ""  # heading path of the item it came from
    line: int | None = None


class PointResult(GradePoint):
    status: Status
    similarity: float
    evidence: str | None  # the answer clause that matched best; None when missed


class Grade(BaseModel):
    score: float | None  # 0-10, one decimal, every cap applied; None when nothing to grade against
    raw: float | None = None  # the calibrated score before any cap (what eval's "rubric" measures)
    unadjusted: float | None = None  # the score before your appeals' map (adapt.py); None: not adjusted
    appeals: int = 0  # how many of your appeals on these notes adjusted it
    reason: str | None = None  # why a guard or a cap decided the score, in plain words
    decided_by: "Decider | None" = None  # which guard or cap set the score; None: the calibration
    rubric_from: Origin
    points: list[PointResult]


@dataclass
class Signals:
    guard: str | None = None  # set when a guard decides the grade: the reason
    features: np.ndarray = field(default_factory=lambda: np.zeros(0))
    sim: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # points x clauses
    clauses: list[str] = field(default_factory=list)
    answer_vector: np.ndarray = field(default_factory=lambda: np.zeros(0))  # the whole answer
    chosen: list[int] = field(default_factory=list)  # the rubric points graded: one alternative's
    verdict: Verdict | None = None  # a true/false question: the answer's verdict vs the reference's
    truncated: bool = False  # only the first MAX_ANSWER_CHARS were graded
    topicality: float = 0.0  # best similarity to any point or to the question itself
    ahead: tuple[float, float] | None = None  # (point, token) matches over saying nothing (evidence.py)
    listing: bool = False  # only a list of terms, no claim, to a question asking why or how (listing.py)


@dataclass
class Rubric:
    points: list[GradePoint]
    vectors: np.ndarray  # one unit row per point, embedded with KIND (from the index)
    origin: Origin = "item"
    # several reference answers are alternatives, not one answer: per point, the one it is from
    alternative: list[int] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # each alternative's whole text, for its verdict

    def alternatives(self) -> list[list[int]]:
        """Point indices of each alternative, in order; one alternative when none are marked."""
        if not self.alternative:
            return [list(range(len(self.points)))]
        return [
            [i for i, a in enumerate(self.alternative) if a == k] for k in dict.fromkeys(self.alternative)
        ]


class Grader:
    def __init__(self, embedder: Embedder, calibration: Calibration) -> None:
        if calibration.embedder != embedder.name:
            raise ValueError(f"calibration is for {calibration.embedder}, not {embedder.name}")
        self.embedder = embedder
        self.cal = calibration
        self._questions: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._nulls: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # per question: null vectors, empty tokens
        self._points: dict[tuple[str, ...], list[np.ndarray]] = {}
        self._answers: dict[tuple[str, ...], Future[Embedded]] = {}
        self._lock = threading.Lock()

    def ask(self, question: str, rubric: "Rubric") -> None:
        """Embed what grading this question needs besides the answer (the question, its points'
        words): call it while the answer is being typed, and grading embeds only the answer."""
        self._question(question)
        self._null(question)
        self._point_tokens(rubric)

    def _null(self, question: str) -> tuple[np.ndarray, np.ndarray]:
        if question not in self._nulls:
            vectors, tokens = self.embedder.encode_tokens(null_texts(question), KIND)
            with self._lock:
                _put(self._nulls, question, (vectors, _rows(tokens)), QUESTION_CACHE)
        return self._nulls[question]

    def _question(self, question: str) -> tuple[np.ndarray, np.ndarray]:
        if question not in self._questions:
            vectors, tokens = self.embedder.encode_tokens([question], KIND)
            with self._lock:  # the typing worker and a grade may both be filling it
                _put(self._questions, question, (vectors[0], tokens[0]), QUESTION_CACHE)
        return self._questions[question]

    def _point_tokens(self, rubric: "Rubric") -> list[np.ndarray]:
        """The tokens of a rubric's points, embedded as one batch: the same for every grade."""
        key = tuple(p.text for p in rubric.points)
        if key not in self._points:
            tokens = self.embedder.encode_tokens(list(key), KIND)[1]
            with self._lock:
                _put(self._points, key, tokens, RUBRIC_CACHE)
        return self._points[key]

    def prepare(self, answer: str) -> None:
        """Embed an answer being typed, so that grading it finds its clauses ready. Same
        clauses, same batch, same vectors: a prepared answer grades as one that was not."""
        part = content(answer)
        if not isinstance(part, str):
            self._clause_vectors(part[1])

    def signals(self, question: str, rubric: Rubric, answer: str) -> "Signals":
        """Everything the score is computed from; eval fits calibrations on these."""
        part = content(answer)
        if isinstance(part, str):
            return Signals(guard=part)
        text, clauses, truncated = part
        q, q_tokens = self._question(question)
        c, c_tokens = self._clause_vectors(clauses)
        # the whole answer as the mean direction of its clauses: encoding it again would cost as
        # much as all of them (a CPU pays per token), for the same held-out agreement
        a = c.mean(axis=0)
        a = a / (np.linalg.norm(a) or 1.0)
        if copies(text, question, float(a @ q)):
            return Signals(guard="The answer only repeats the question.")
        every_sim = similarities(rubric.vectors, c)
        # the alternative the answer comes nearest: matching one reference in full is a full answer
        options = rubric.alternatives()
        k = max(range(len(options)), key=lambda n: float(every_sim[options[n]].max(axis=1).mean()))
        chosen = options[k]
        sim = every_sim[chosen]
        reference = " ".join(rubric.points[i].text for i in chosen)
        tokens = (_rows(self._point_tokens(rubric), chosen), _rows(c_tokens), q_tokens)
        row = features(sim, rubric.vectors[chosen], a, q, text, reference, question, tokens)
        whole = rubric.texts[k] if k < len(rubric.texts) else reference
        return Signals(
            features=row,
            sim=sim,
            clauses=clauses,
            answer_vector=a,
            chosen=chosen,
            verdict=verdict.compare(question, whole, text),
            truncated=truncated,
            topicality=max(float(every_sim.max()), float(a @ q)),
            ahead=lead(sim, rubric.vectors[chosen], q, self._null(question), row[TOKEN_RECALL], tokens),
            listing=lists_terms(text, question),
        )

    def _clause_vectors(self, clauses: list[str]) -> "Embedded":
        # the clauses are one batch, as they always were: a text's vector depends on the batch
        # it is in (bf16 rounding), so the memo is keyed by the whole list, never by one clause.
        # A grade that comes while the same list is being embedded as typed waits for it.
        key = tuple(clauses)
        with self._lock:
            pending = self._answers.get(key)
            mine = pending is None
            if pending is None:
                pending = Future()
                _put(self._answers, key, pending, ANSWER_CACHE)
        if mine:
            try:
                vectors, tokens = self.embedder.encode_tokens(clauses, KIND)
            except BaseException as e:
                with self._lock:
                    self._answers.pop(key, None)  # the next try embeds it again
                pending.set_exception(e)
                raise
            for array in (vectors, *tokens):
                array.setflags(write=False)  # shared by every grade of this answer
            pending.set_result((vectors, tokens))
        return pending.result()

    def raw(self, s: "Signals", cal: Calibration | None = None) -> float:
        """The calibrated 0-10 score of signals, before any cap; cal overrides the shipped one."""
        if s.guard:
            return 0.0
        cal = cal or self.cal
        return float(cal.predict(s.features[cal.columns()])[0]) * 10

    def points(self, rubric: Rubric, s: "Signals", cal: Calibration | None = None) -> list[PointResult]:
        """Each rubric point covered, partly covered or missed, with the clause that matched it."""
        if s.guard:
            return [
                PointResult(**rubric.points[i].model_dump(), status="missed", similarity=0.0, evidence=None)
                for i in rubric.alternatives()[0]
            ]
        cal = cal or self.cal
        said = states(s.ahead, cal.margins, s.listing)  # else every point is missed
        return [_point(rubric.points[i], s.sim[n], s.clauses, cal, said) for n, i in enumerate(s.chosen)]


def _point(
    point: GradePoint, sims: np.ndarray, clauses: list[str], cal: Calibration, said: bool
) -> PointResult:
    best = int(sims.argmax())
    s = round(float(sims[best]), 3)
    status: Status = "missed" if not said or s < cal.partly else "covered" if s >= cal.covered else "partly"
    shown = None if status == "missed" else clauses[best]
    return PointResult(**point.model_dump(), status=status, similarity=s, evidence=shown)


def _put(memo: dict, key: object, value: object, size: int) -> None:
    """A memo's newest entry, its oldest dropped past `size`; the caller holds the grader's lock."""
    if len(memo) >= size:
        memo.pop(next(iter(memo)))
    memo[key] = value


def _rows(tokens: list[np.ndarray], chosen: list[int] | None = None) -> np.ndarray:
    """Some texts' token rows stacked: which texts, by index (all when None)."""
    picked = [tokens[i] for i in chosen] if chosen is not None else tokens
    return np.vstack(picked) if picked else np.zeros((0, 0), np.float32)
