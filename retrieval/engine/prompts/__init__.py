"""Prompt templates of the generative engine (package data: ``*.txt``).

Loaded with :func:`retrieval.engine.generate.load_prompts`; a folder holding files
of the same names replaces them (``[llm] prompt_dir``).
"""
