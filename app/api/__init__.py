"""The HTTP API (/v1, OpenAI-compatible) and the website widget it serves."""
