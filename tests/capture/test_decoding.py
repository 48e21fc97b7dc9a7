"""Content codings decoded in bounded pieces."""

import gzip
import zlib

import brotli
import pytest

from reader.capture.decoding import STEP, CodingError, decoder_for

TEXT = b"<p>A harbour, a ferry, a tide.</p>" * 5000


@pytest.mark.parametrize(("coding", "coded"), [
    ("gzip", gzip.compress(TEXT)),
    ("x-gzip", gzip.compress(TEXT)),
    ("deflate", zlib.compress(TEXT)),
    ("deflate", zlib.compress(TEXT)[2:-4]),  # raw deflate, as some servers send it
    ("br", brotli.compress(TEXT)),
    ("identity", TEXT),
    ("", TEXT),
])
def test_each_coding_decodes_in_bounded_pieces(coding, coded):
    decoder = decoder_for(coding)
    pieces = [piece for at in range(0, len(coded), 1000)
              for piece in decoder.decode(coded[at:at + 1000])]
    assert b"".join(pieces) == TEXT
    assert max(len(piece) for piece in pieces) < 2 * STEP


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br"])
def test_a_bomb_is_handed_out_a_piece_at_a_time(coding):
    zeros = bytes(50_000_000)
    coded = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress}[coding](zeros)
    pieces = decoder_for(coding).decode(coded)  # all of it in one go
    assert len(next(pieces)) < 2 * STEP  # nothing is decoded beyond what is asked for


@pytest.mark.parametrize(("header", "message"), [
    ("gzip, gzip", "coded more than once (gzip, gzip)"),
    ("gzip, br", "coded more than once (gzip, br)"),
    ("zstd", "coded as zstd, which Reader does not read"),
    ("compress", "coded as compress"),
])
def test_refused_codings(header, message):
    with pytest.raises(CodingError, match=message.replace("(", r"\(").replace(")", r"\)")):
        decoder_for(header)


def test_broken_data_says_so():
    with pytest.raises(CodingError, match="its gzip data is broken"):
        list(decoder_for("gzip").decode(b"\x1f\x8b\x08\x00 not gzip at all"))
