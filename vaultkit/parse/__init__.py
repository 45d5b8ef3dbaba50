"""Text to Note, once: frontmatter, markdown-it(-py/-pyrs), wikilinks, suppressions."""
