"""Rule functions for Linux evidence."""
