"""The read path of newsbot, in four rooms:

- ``common``: text spans, the content hash, terms and the error hierarchy;
- ``index``: the store, its shards, the lexical index and the embeddings;
- ``judge``: the trained judgement model (run, data, training);
- ``engine``: the answer engine (search, evidence, compose, verify, generate).

``ingest`` uses ``index`` and ``common`` only.  Nothing here creates a client or
loads a model at import time; the composition root in ``bot`` builds the
objects and passes them in.
"""
