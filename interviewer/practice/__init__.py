"""Practice over weeks: the FSRS schedule, appeals against a grade, a job description's focus,
score bands.

May import storage, grading, knowledge/ and the shared settings/messages (the LLM too, though
none does today); never the interview or the page.
"""
