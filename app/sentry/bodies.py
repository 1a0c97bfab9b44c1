"""Request bodies as the Sentry SDKs send them: compressed (gzip, deflate, br, zstd), in a
stream that is cut the moment it decompresses past its cap, so a small bomb costs nothing."""

import zlib

import brotli
import zstandard

CHUNK = 64 * 1024  # compressed bytes fed to a decompressor at a time


class TooLarge(ValueError):
    """The body decompresses past its cap."""


class BadEncoding(ValueError):
    """The body is not what its Content-Encoding says, or the encoding is unknown."""


def decode_body(raw: bytes, encoding: str | None, limit: int) -> bytes:
    """The body with its Content-Encoding undone (several, as listed, undone in reverse);
    at most `limit` bytes, else TooLarge."""
    codings = [c.strip().lower() for c in (encoding or "").split(",") if c.strip()]
    data = raw
    for coding in reversed(codings):
        if coding == "identity":
            continue
        decoder = DECODERS.get(coding)
        if decoder is None:
            raise BadEncoding(coding)
        data = decoder(data, limit)
    if len(data) > limit:
        raise TooLarge()
    return data


def _zlib(data: bytes, limit: int, wbits: int) -> bytes:
    decompressor = zlib.decompressobj(wbits)
    out = bytearray()
    try:
        for start in range(0, len(data), CHUNK):
            pending = data[start : start + CHUNK]
            while pending:
                # Never more output than the cap allows, however much this input expands.
                out += decompressor.decompress(pending, limit + 1 - len(out))
                if len(out) > limit:
                    raise TooLarge()
                pending = decompressor.unconsumed_tail
        out += decompressor.flush()
    except zlib.error as error:
        raise BadEncoding("zlib") from error
    if len(out) > limit:
        raise TooLarge()
    if not decompressor.eof:
        raise BadEncoding("truncated")
    return bytes(out)


def _gzip(data: bytes, limit: int) -> bytes:
    return _zlib(data, limit, 16 + zlib.MAX_WBITS)


def _deflate(data: bytes, limit: int) -> bytes:
    # HTTP's "deflate" is a zlib stream, though some clients send raw deflate.
    try:
        return _zlib(data, limit, zlib.MAX_WBITS)
    except BadEncoding:
        return _zlib(data, limit, -zlib.MAX_WBITS)


def _brotli(data: bytes, limit: int) -> bytes:
    decompressor = brotli.Decompressor()
    out = bytearray()
    try:
        for start in range(0, len(data), CHUNK):
            piece = decompressor.process(data[start : start + CHUNK], output_buffer_limit=CHUNK)
            # The decompressor holds back what did not fit the buffer: drain it, a buffer at
            # a time, before feeding more input.
            while piece:
                out += piece
                if len(out) > limit:
                    raise TooLarge()
                piece = decompressor.process(b"", output_buffer_limit=CHUNK)
    except brotli.error as error:
        raise BadEncoding("br") from error
    if not decompressor.is_finished():
        raise BadEncoding("truncated")
    return bytes(out)


def _zstd(data: bytes, limit: int) -> bytes:
    reader = zstandard.ZstdDecompressor().stream_reader(data, read_across_frames=True)
    try:
        out = reader.read(limit + 1)
        if len(out) > limit:
            raise TooLarge()
        # The reader says nothing of a stream cut short; a second pass, bounded now that the
        # output is known to fit, tells a whole stream from a truncated one.
        whole = zstandard.ZstdDecompressor().decompressobj()
        whole.decompress(data)
    except zstandard.ZstdError as error:
        raise BadEncoding("zstd") from error
    if not whole.eof:
        raise BadEncoding("truncated")
    return out


DECODERS = {"gzip": _gzip, "x-gzip": _gzip, "deflate": _deflate, "br": _brotli, "zstd": _zstd}
