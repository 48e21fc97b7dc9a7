"""A chat model behind an OpenAI-compatible server: ``client`` (``RemoteModel``) asks, ``stream``
reads the answer, ``errors`` puts failures in words, ``hangup`` cancels, ``tokens`` counts,
``address`` says where the server is and whether a key may go there, ``special_tokens`` keeps an
article's control-token look-alikes inert."""

from reader.summarize.backends.remote.client import RemoteModel

__all__ = ["RemoteModel"]
