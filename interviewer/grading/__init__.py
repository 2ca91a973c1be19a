"""The live grader: an answer against its key points, clause by clause, calibrated, every cap in one place.

May import knowledge/ and interviewer.settings/messages only: nothing of the interview, the LLM or storage.
The offline harness that measures it (evaluate, agreement, replay, splits) lives in evaluation/.
"""
