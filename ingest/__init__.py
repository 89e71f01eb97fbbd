"""Reading county documents and writing the index (Chroma + BM25) that the app answers from."""
