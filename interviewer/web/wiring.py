"""Which event of the page calls which handler, with what in and out, queued how.

ui.build makes the handlers (short closures over the page's components) and hands them here by
name; the components are the ones layout.py names. The API's names (api_name) are given here,
so the page's public API reads in one place.
"""

from collections.abc import Callable
from typing import Any

import gradio as gr

from interviewer.web import handlers
from interviewer.web.layout import BUTTONS, PAGE, REPORT
from interviewer.web.page_language import follow


def wire(
    demo: gr.Blocks, c: dict[str, Any], on: dict[str, Callable[..., Any]], asked_box: Any, begun_at_once: Any
) -> None:
    """Connects the page's events in `demo` to the handlers `on` names, `c` the page's components."""
    session, root, source, folder, files = c["session"], c["root"], c["source"], c["folder"], c["files"]
    summary, topics, due, job, tabs = c["summary"], c["topics"], c["due"], c["job"], c["tabs"]
    answer_box, pick, lang = c["answer"], c["pick"], c["lang"]
    downloads_out = [c["dl_md"], c["dl_json"], c["dl_html"]]
    page_out = [c[n] for n in PAGE + BUTTONS]
    report_out = [c[n] for n in REPORT]
    notes_out = [summary, topics, root, c["loaded"]]
    hidden: Any = {"api_visibility": "private"}  # UI-only events stay out of the API page
    source.change(on["switch_source"], [lang, source], [folder, files, c["course"]], **hidden)
    notes_in = [lang, source, folder, files, c["course"]]
    due_in = [lang, root]
    # the bars (model assembly, embedding) show on the summary alone, where there is room
    loading: Any = {"concurrency_id": "notes", "show_progress_on": [summary]}
    # what is due shows after the notes load, as its own step: load_notes' API outputs stay as they were
    c["load_btn"].click(on["load"], notes_in, notes_out, api_name="load_notes", **loading).then(
        on["due_today"], due_in, due, **hidden
    )
    uploaded = files.upload(on["load"], notes_in, notes_out, **loading, **hidden)
    uploaded.then(on["due_today"], due_in, due, **hidden)
    # the tab's language first: everything the server writes on load is written in it; the
    # interviewer's language is the page's too: what the server wrote is redrawn in it
    chosen, switched = follow(demo, c["language"], lang, c["locale"])
    reloaded = chosen.then(on["load"], notes_in, notes_out, **loading, **hidden)
    reloaded.then(on["due_today"], due_in, due, **hidden)
    chosen.then(on["refresh"], [lang, session], report_out, **hidden)
    chosen.then(on["signed_in"], lang, c["user_line"], **hidden)
    # this browser's interview id, kept in its localStorage under the same name and key on
    # every replica (Gradio's default is random per process), so a page that another replica
    # reloads finds it. No secret: the id alone opens nothing, each event checks whose it is
    kept = gr.BrowserState("", storage_key="interview-coach", secret="interview-coach")
    session.change(lambda sid: sid, session, kept, **hidden)
    chosen.then(on["restore"], [lang, kept], [session, root, *page_out], **hidden)
    redrawn = [summary, due, c["job_view"], *page_out, *report_out]
    switched.then(on["relabel"], [lang, session, c["loaded"], root], redrawn, **hidden)
    c["job_file"].upload(on["read_job"], [lang, c["job_file"]], job, **hidden)
    options = [topics, c["questions"], c["follow_ups"], c["language"], c["review_weak"], job]
    options += [c["time_limit"], files, asked_box, c["adjust"]]  # the notes picked; your standard
    begun = [session, root, *page_out, c["job_view"], tabs, begun_at_once]
    # Start answers outside the queue on notes already indexed (nearly always); on a folder
    # still loading, begin then waits in the queue for its first questions, the status line
    # saying so. No spinner either way: over the chat it flashed after every Start
    no_spinner: Any = {"show_progress": "hidden"}
    start_in = [lang, root, *options]
    started = c["start_btn"].click(on["begin_at_once"], start_in, begun, queue=False, **no_spinner, **hidden)
    started.success(on["begin"], [*start_in, begun_at_once], begun, api_name="start", **no_spinner)
    c["resume_btn"].click(on["pick_up"], lang, [session, root, *page_out, tabs], api_name="resume")
    # answers from several tabs run at once: the embedder takes one batch at a time (its own
    # lock), and the LLM is another process, so a grade never waits for a follow-up being written
    one: Any = {"concurrency_id": "answers", "concurrency_limit": 4}
    answer_in, answer_out = [lang, session, answer_box], [answer_box, *page_out]
    c["send"].click(on["send_answer"], answer_in, answer_out, api_name="answer", **one)
    answer_box.submit(on["send_answer"], answer_in, answer_out, api_visibility="private", **one)
    # each change sends the text so far (the newest only, while one is in flight) and returns
    # at once; the answer is embedded once typing pauses, so Enter finds it ready. `change`, not
    # `input`: in Chromium, `input` left the last characters of Chinese typed one by one unsent
    quiet: Any = {"trigger_mode": "always_last", "show_progress": "hidden", "concurrency_id": "typing"}
    answer_box.change(on["typed"], [session, answer_box], None, **quiet, **hidden)
    acted = [lang, session]
    # Hint, Skip and the model answer take milliseconds: a spinner drawn over the page's nine
    # outputs and taken away again cost the browser more than the answer, and the queue's
    # join-then-stream round trips another ~70 ms (one POST instead; README, "Reliability")
    at_once: Any = {"show_progress": "hidden", "queue": False}
    c["hint"].click(on["action"](handlers.hint), acted, page_out, api_name="hint", **at_once)
    c["skip"].click(on["action"](handlers.skip), acted, page_out, api_name="skip", **at_once)
    c["reveal"].click(on["action"](handlers.reveal), acted, page_out, api_name="model_answer", **at_once)
    c["end"].click(on["finish"], acted, [*page_out, *report_out, due, tabs], api_name="end")
    appeal_in = [lang, session, c["appeal_score"], c["appeal_reason"]]
    c["appeal"].click(on["appeal"], appeal_in, page_out, api_name="appeal")
    pick.change(on["downloads"], [lang, pick], downloads_out, api_name="transcripts")
