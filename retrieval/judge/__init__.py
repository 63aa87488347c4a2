"""newsbot's judgement model: does a sentence support, contradict or not address a
question's claim, and does it answer the question.  ``model`` runs it; ``data``
and ``train`` rebuild it from ``../shared/train/`` (``make train``)."""
