"""Model assembly: the embedder's and the LLM's weights fetched or built from recipes.json, once,
into a cache.

May import nothing of ours outside knowledge/weights/.
"""
