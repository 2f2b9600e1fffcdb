"""Speed measurements of the `snippets` NumPy layers (scripts, never timed tests)."""
