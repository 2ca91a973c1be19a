"""The page served to whoever it is for: one local user, a class logging in, or single sign-on.

`users_file`: Gradio's login form, checked against that file of hashed passwords (users.py),
its logins kept in the database so every replica honours them (logins.py). `user_header`: the
name a trusted reverse proxy puts in that header; a request without a valid one is refused
(401) before any event runs, so only put the app where that proxy alone can reach it.
Neither: the one local user, no login, as `make run` has it.
"""

import asyncio
from pathlib import Path
from typing import Any

import gradio as gr

from interviewer.messages import say
from interviewer.storage import users
from interviewer.web import logins, ui
from interviewer.web.workspace import Coach


def serve(
    demo: gr.Blocks,
    coach: Coach,
    users_file: Path | None = None,
    user_header: str = "",
    **kw: Any,
) -> Any:
    """ui.launch with the logins the settings ask for; blocks unless `prevent_thread_lock`."""
    if users_file is not None and user_header:
        raise ValueError("set COACH_USERS_FILE or COACH_USER_HEADER, not both")
    if users_file is not None:
        path = users_file

        async def auth(name: str, password: str) -> bool:
            # scrypt takes tens of ms by design: in a thread, so a class logging in at once
            # never holds up the server's event loop, where every tab's events are handled
            return await asyncio.to_thread(users.verify, path, name, password)

        kw["auth"] = auth
        # Gradio's login page comes before the tab has a language: it says it in both
        kw["auth_message"] = f"{say('en', 'login_message')} · {say('zh', 'login_message')}"
    if user_header:
        kw["auth_dependency"] = lambda request: users.from_header(request.headers.get(user_header))
    block = not kw.pop("prevent_thread_lock", False)
    launched = ui.launch(demo, coach, prevent_thread_lock=True, **kw)
    if users_file is not None:  # before anyone can have logged in: the server is seconds old
        logins.share(demo.server_app, coach.db)
    if block:
        demo.block_thread()
    return launched
