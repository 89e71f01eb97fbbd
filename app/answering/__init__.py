"""Answering: the assistant, extractive and LLM answers, citations and their checks."""
