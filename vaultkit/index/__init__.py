"""Names and Obsidian resolution, GitHub slugs, the facts that cross notes."""
