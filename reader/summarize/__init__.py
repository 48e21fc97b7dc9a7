"""Summaries from a language model. Imports no Qt."""
