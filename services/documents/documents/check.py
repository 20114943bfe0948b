"""The public check of a certificate (B.1, B.2): the QR code printed on it opens the gateway's
`/check/<number>?t=<token>`, which needs no login. The token is an HMAC of the number, so only a
printed certificate leads to an answer: numbers run in sequence, and counting them must not list
the city's members (registration.verify_certificate says the same for signed-in callers)."""
import base64
import functools
import hashlib
import hmac
import os
import struct
import zlib

from contracts.access import CONTEXT_SECRET_ENV


def _secret():
    # its own secret if operations set one; else derived from the secret every service already has
    own = os.environ.get("DOCUMENTS_CHECK_SECRET")
    if own:
        return own.encode()
    return _derived(os.environ.get(CONTEXT_SECRET_ENV, ""))


@functools.lru_cache(maxsize=4)
def _derived(shared):
    return hmac.new(shared.encode(), b"certificate-check", hashlib.sha256).digest()


def token(number):
    digest = hmac.new(_secret(), number.strip().upper().encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode()  # 16 characters, letters and 2-7 (QR alphanumeric)


def genuine(number, given):
    # as bytes: compare_digest refuses str with characters beyond ASCII, which anyone may type
    return isinstance(given, str) and hmac.compare_digest(token(number).encode(), given.strip().upper().encode())


def url(base, number):
    return f"{base.rstrip('/')}/check/{number}?t={token(number)}"


def qr_png(text):
    """The QR code of `text` as a PNG, one pixel per module with its quiet zone (the form scales it
    up without smoothing). zxing-cpp (C++) makes the code in 0.2 ms; as SVG, the code's path built
    in Python took 0.3 ms more and Typst's compile of 1,000 certificates 30% longer than this
    picture, which the PDF keeps as a small image."""
    import zxingcpp
    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = code.to_image(scale=1, add_quiet_zones=True)
    height, width = image.shape[0], image.shape[1]
    pixels = bytes(memoryview(image))
    raw = b"".join(b"\x00" + pixels[y * width:(y + 1) * width] for y in range(height))  # filter 0 per row
    # the fastest level, a small window and memory level: the default deflate state costs 60 us to
    # set up, and level 9 another 70 us, for a picture of 2 KB
    packer = zlib.compressobj(1, zlib.DEFLATED, 9, 1)
    data = packer.compress(raw) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + _chunk(b"IDAT", data) + _chunk(b"IEND", b""))


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
