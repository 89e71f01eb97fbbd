"""`python -m app` runs the county-rag command."""

from .cli import main

main()
