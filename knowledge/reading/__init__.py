"""Reading notes: markdown, plain text and other files into an outline, items, key points and questions.

May import knowledge.items only (and each other); nothing of the index, the weights or interviewer/.
"""
