"""The Gradio page: layout, handlers, views, logins and the server; display only.

May import every room of interviewer/ and knowledge/; nothing of ours imports it but app.py and devtools/.
"""
