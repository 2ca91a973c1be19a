"""Developer tools: benches, load tests, the simulated clock, retrieval checks, and the PostgreSQL
and nginx harnesses the tests and the class load test start.

May import anything below app.py; nothing in interviewer/ or knowledge/ imports it.
"""
