"""Worker pools as rows: the list the gateway admits jobs to, the consumers kept for them, their status."""
