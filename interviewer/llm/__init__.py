"""The language model: chat backends, the llama.cpp server process, prompts, follow-up drafts, the question
writer and its checks.

May import storage, grading, knowledge/ and the shared settings/messages; never practice, the
interview or the page.
"""
