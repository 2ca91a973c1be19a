"""What is kept: the database (SQLite or PostgreSQL), the interview record, history, users, course notes.

May import grading (the grades a record holds), knowledge/ and the shared settings/messages;
never the LLM, practice, the interview or the page.
"""
