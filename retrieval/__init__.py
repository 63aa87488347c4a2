"""The read path of newsbot: the index definition and the answer chain.

Nothing here creates a client or loads a model at import time; the
composition root in ``bot`` builds the objects and passes them in.
"""
