"""Retrieval: keyword and dense candidates, fusion, optional reranking, the role filter."""
