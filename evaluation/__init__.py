"""The offline evaluation harness: how the grader agrees with labels (evaluate, agreement, replay, splits,
metrics), the LLM judge it is compared against, and calibration variants.

May import anything below app.py; nothing in interviewer/ or knowledge/ imports it.
"""
