"""One module per CLI command group; each entry point is ``async`` and returns an exit code."""
