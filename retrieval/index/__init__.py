"""The index definition: the Chroma store and its shards (``store``, ``chroma``,
``writing``), the article and chunk types (``records``), the lexical index
(``lexical``) and the embedding model (``embeddings``).  ``ingest`` writes
through it; the answer engine reads through it."""
