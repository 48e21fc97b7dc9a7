"""Reader: a local library of saved web articles, summarised offline."""

__version__ = "0.1.0"
