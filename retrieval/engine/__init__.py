"""The answer engine: hybrid search, evidence, the judgement model's use in
answering (``judging``), the offline composer, the verifier, and the generative
engine.  Both engines implement :class:`retrieval.engine.interface.Engine`."""
