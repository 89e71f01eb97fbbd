"""The Gradio surface: investor chat and staff workspace."""
