"""The index: the embedder, packing, the embedding cache, FAISS vectors on disk, and indexing in
the background.

May import knowledge.reading, knowledge.weights and knowledge.items; nothing of interviewer/.
"""
