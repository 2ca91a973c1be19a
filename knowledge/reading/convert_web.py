"""Saved web pages (.html/.htm) and Jupyter notebooks (.ipynb) as Markdown.

A web page goes through markdownify (headings, lists, code, tables), with scripts, styles and
navigation dropped. A notebook is JSON read with the json module: each Markdown cell as it is,
each code cell as a fenced block, one part per cell ("cell 5", counting every cell as Jupyter
shows them). Not read: cell outputs (plots, tables a cell printed), attachments, raw cells.
"""

import json

from knowledge.reading.converters import MAX_PAGES, Builder, ConversionError, Deadline, Document
from knowledge.reading.files import NotesFileError, decode

_DROPPED = ("script", "style", "nav", "header", "footer", "noscript", "svg", "form", "button")


def html_to_markdown(data: bytes) -> Document:
    from bs4 import BeautifulSoup
    from markdownify import markdownify

    try:
        text = decode(data)
    except NotesFileError as e:
        raise ConversionError(f"not a readable web page: {e}") from e
    soup = BeautifulSoup(text, "html.parser")
    for tag in soup.find_all(_DROPPED):
        tag.decompose()
    body = soup.body or soup
    markdown = markdownify(str(body), heading_style="ATX", bullets="-", strip=["img", "a"])
    return Document(markdown.strip() + "\n")


def notebook_to_markdown(data: bytes, deadline: Deadline) -> Document:
    try:
        notebook = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ConversionError(f"not a Jupyter notebook: the file is not JSON ({_short(e)})") from e
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        # nbformat 3 kept cells under "worksheets"; Jupyter has written version 4 since 2015
        raise ConversionError("not a Jupyter notebook of version 4 or later (no list of cells)")
    language = _language(notebook)
    out = Builder()
    for number, cell in enumerate(cells[:MAX_PAGES], start=1):
        deadline.check(f"cell {number}")
        if not isinstance(cell, dict):
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        if not text.strip():
            continue
        out.part(f"cell {number}")
        if cell.get("cell_type") == "markdown":
            out.add(text)
        elif cell.get("cell_type") == "code":
            fence = "````" if "```" in text else "```"
            out.add(f"{fence}{language}\n{text.rstrip()}\n{fence}")
    total = len(cells)
    warning = f"only the first {MAX_PAGES} of its {total} cells were read" if total > MAX_PAGES else None
    return out.document(warning)


def _language(notebook: dict[str, object]) -> str:
    meta = notebook.get("metadata")
    info = meta.get("language_info") if isinstance(meta, dict) else None
    name = info.get("name") if isinstance(info, dict) else None
    return name if isinstance(name, str) and name.isidentifier() else ""


def _short(e: Exception) -> str:
    return str(e).split(":")[0][:80]
