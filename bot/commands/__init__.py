"""One module per CLI command group; each exposes ``async def`` entry points returning an exit code."""
