"""The interview coach: the shared settings and messages here, and the rooms below them by job.

grading < storage < llm < practice < interview < web, each importing only rooms below it and knowledge/.
settings.py and messages.py import nothing of ours; nothing here imports evaluation/, devtools/ or app.py.
"""
