"""Your notes, read and indexed: reading/ turns files into items and points, index/ embeds and searches them,
weights/ assembles the models (embedder and LLM). items.py holds the types the other rooms are handed.

Imports nothing of interviewer/, evaluation/, devtools/ or app.py.
"""
