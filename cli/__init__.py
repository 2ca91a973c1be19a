"""The front door's own room: each command's arguments and wiring, called by app.py.

May import anything below it (interviewer/, knowledge/, evaluation/, devtools/); nothing
imports it but app.py and the tests.
"""
