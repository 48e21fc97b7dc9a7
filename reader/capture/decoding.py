"""Content codings (gzip, deflate, br) decoded in bounded steps.

A few KB of gzip can hold gigabytes of zeros, and ``gzip, gzip`` multiplies that again; so the
decoders here hand back at most ``STEP`` bytes per piece (brotli: under twice that), and the
caller counts the decoded bytes as they come. One coding at most: a body coded twice is
refused, not unwrapped.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import brotli

STEP = 64 * 1024  # the most a decoder hands back at once
ACCEPTED = "gzip, deflate, br"  # what we ask servers for (Accept-Encoding)


class CodingError(Exception):
    """The body's coding is refused or its data is broken (the message says which)."""


class _Identity:
    finished = False

    def decode(self, data: bytes) -> Iterator[bytes]:
        yield data


class _Zlib:
    """gzip (``wbits`` 31) or deflate; deflate is meant to be zlib-wrapped, but some servers send
    it raw, so a deflate body that does not start as zlib is read as raw deflate."""

    def __init__(self, name: str, wbits: int):
        self._name = name
        self._wbits = wbits
        self._inflate = zlib.decompressobj(wbits)
        self._started = False

    @property
    def finished(self) -> bool:
        return self._inflate.eof

    def decode(self, data: bytes) -> Iterator[bytes]:
        while not self._inflate.eof:
            try:
                piece = self._inflate.decompress(data, STEP)
            except zlib.error as error:
                if self._started or self._wbits != zlib.MAX_WBITS:
                    raise CodingError(f"its {self._name} data is broken ({error})") from None
                self._wbits = -zlib.MAX_WBITS  # raw deflate, and try the same bytes again
                self._inflate = zlib.decompressobj(self._wbits)
                continue
            self._started = True
            data = self._inflate.unconsumed_tail
            if piece:
                yield piece
            # A full piece may leave output inside zlib even when all input was taken.
            if not data and len(piece) < STEP:
                return


class _Brotli:
    def __init__(self) -> None:
        self._decompressor = brotli.Decompressor()

    @property
    def finished(self) -> bool:
        return self._decompressor.is_finished()

    def decode(self, data: bytes) -> Iterator[bytes]:
        try:
            piece = self._decompressor.process(data, output_buffer_limit=STEP)
            yield piece
            # A full piece may leave output inside (and input it has not yet decoded): ask for
            # it piece by piece. brotli may pass the limit by a buffer step: pieces stay under
            # twice STEP.
            while not self._decompressor.is_finished() and (
                    len(piece) >= STEP or not self._decompressor.can_accept_more_data()):
                piece = self._decompressor.process(b"", output_buffer_limit=STEP)
                yield piece
        except brotli.error as error:
            raise CodingError(f"its br data is broken ({error})") from None


def decoder_for(content_encoding: str) -> _Identity | _Zlib | _Brotli:
    """The decoder for a ``Content-Encoding`` header's value; CodingError if it is refused."""
    codings = [part.strip().lower() for part in content_encoding.split(",")]
    codings = [coding for coding in codings if coding not in ("", "identity")]
    if len(codings) > 1:
        raise CodingError(f"it is coded more than once ({', '.join(codings)}), which Reader "
                          "does not unwrap")
    coding = codings[0] if codings else ""
    if coding == "":
        return _Identity()
    if coding in ("gzip", "x-gzip"):
        return _Zlib("gzip", 16 + zlib.MAX_WBITS)
    if coding == "deflate":
        return _Zlib("deflate", zlib.MAX_WBITS)
    if coding == "br":
        return _Brotli()
    raise CodingError(f"it is coded as {coding[:40]}, which Reader does not read")
