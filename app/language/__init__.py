"""Language analysis: what a question asks, numbers, places, translation, text overlap."""
