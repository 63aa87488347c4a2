"""What the write path and the read path share: text spans and the content hash
(``text``), the term analyser of the lexical index (``terms``), and the one error
hierarchy (``errors``); ``quiet`` keeps transformers' console output from the user.
Nothing here imports the index or the answer engine."""
