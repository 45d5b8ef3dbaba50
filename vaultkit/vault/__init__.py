"""Which files are notes; bytes to text (encodings); atomic writes."""
