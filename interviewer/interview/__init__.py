"""One interview: plan, ask, take an answer, grade, follow up, end, report, export, and the terminal version.

May import practice, llm, storage, grading, knowledge/ and the shared settings/messages; never the page.
"""
