"""county-rag: answers questions about a county from its own documents, with cited passages."""
