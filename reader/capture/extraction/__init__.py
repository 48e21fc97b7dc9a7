"""The parts of extraction that depend on the kind of page: what kind it is, and a thread's posts."""
