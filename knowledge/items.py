"""What leaves knowledge/: question items, their rubric points, search hits, ingest reports."""

from typing import Literal

from pydantic import BaseModel, Field

Language = Literal["zh", "en"]
WrittenBy = Literal["notes", "template"]


class RubricPoint(BaseModel):
    """One checkable idea a good answer contains, cited by its span in the source file."""

    text: str
    start: int  # character offsets into the decoded source file
    end: int
    line: int  # 1-based line of start, for people


class QuestionItem(BaseModel):
    id: str  # stable across re-ingests while source, heading path and question stay the same
    source: str  # path relative to the notes root, with / separators
    heading_path: list[str]
    topic: str
    tags: list[str] = Field(default_factory=list)
    question: str
    answer: str = ""  # empty for question-only items: asked, graded against related notes
    explanation: str = ""  # 解析 / Explanation: context for retrieval, never rubric
    rubric: list[RubricPoint] = Field(default_factory=list)
    line: int  # 1-based line of the question
    # where a converted file has no lines worth citing: "page 3", "slide 2", "cell 5" (converters.py)
    place: str = ""
    language: Language
    # "notes": the notes ask it (a question heading, a 题目/Q label, a listed question);
    # "template": built from a plain heading ("请介绍贪婪解码"), which the LLM may rewrite later
    # (interviewer/llm/question_writer.py)
    written_by: WrittenBy = "notes"
    # the section is code with no words on what it does: asked only once the LLM, shown the
    # code, has written a question on it that passes the checks (interviewer/llm/question_writer.py)
    code: bool = False

    @property
    def answered(self) -> bool:
        return bool(self.answer.strip())

    @property
    def cited(self) -> str:
        """Where the question is, for people: "notes.md:12", or "handbook.pdf, page 3"."""
        return f"{self.source}, {self.place}" if self.place else f"{self.source}:{self.line}"

    @property
    def heading(self) -> str:
        return " > ".join(self.heading_path)


class SearchHit(BaseModel):
    item_id: str
    score: float  # cosine similarity, higher is closer
    text: str
    source: str
    heading: str
    point: int  # index into the item's rubric


class FileReport(BaseModel):
    path: str
    items: int = 0
    answered: int = 0
    rubric_points: int = 0
    error: str | None = None


class IngestSummary(BaseModel):
    files: list[FileReport]
    items: int
    answered: int
    rubric_points: int
    seconds: float
    embedder: str
    reused_files: int = Field(0, exclude=True)  # not re-embedded this time; for tests and logs
    embedded_files: int = Field(0, exclude=True)
