"""The review queue: people deciding the pairs the model is not sure about.

`rules.py` says who may review which task and what an answer must hold, `queries.py` reads
the queue, a task's explanation and the decided pairs as labels, and `services.py` records a
decision and makes it true at once (linking merges the two master persons, deciding apart
undoes a link this task made). Every decision is kept (linkage_review_decisions), "not sure"
too, and every later run honours the decided ones.
"""
