"""Pure str -> str helpers: URLs, mojibake, codecs."""
