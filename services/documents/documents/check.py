"""The public check of a certificate (B.1, B.2): the QR code printed on it opens the gateway's
`/check/<number>?t=<token>`, which needs no login. The token is an HMAC of the number, so only a
printed certificate leads to an answer: numbers run in sequence, and counting them must not list
the city's members (registration.verify_certificate says the same for signed-in callers)."""
import base64
import hashlib
import hmac
import os

from contracts.access import CONTEXT_SECRET_ENV


def _secret():
    # its own secret if operations set one; else derived from the secret every service already has
    own = os.environ.get("DOCUMENTS_CHECK_SECRET")
    if own:
        return own.encode()
    shared = os.environ.get(CONTEXT_SECRET_ENV, "")
    return hmac.new(shared.encode(), b"certificate-check", hashlib.sha256).digest()


def token(number):
    digest = hmac.new(_secret(), number.strip().upper().encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode()  # 16 characters, letters and 2-7 (QR alphanumeric)


def genuine(number, given):
    # as bytes: compare_digest refuses str with characters beyond ASCII, which anyone may type
    return isinstance(given, str) and hmac.compare_digest(token(number).encode(), given.strip().upper().encode())


def url(base, number):
    return f"{base.rstrip('/')}/check/{number}?t={token(number)}"


def qr_svg(text):
    """The QR code of `text` as SVG (zxing-cpp, C++: a tenth of a millisecond where pure-Python
    libraries took 2-9 ms, which for a batch of 1,000 certificates was longer than the typesetting)."""
    import zxingcpp
    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = code.to_image(scale=1, add_quiet_zones=False)
    rows, cols = image.shape[0], image.shape[1]
    dark = bytes(memoryview(image))
    path = []
    for y in range(rows):  # one rectangle per run of dark modules in a row
        row = dark[y * cols:(y + 1) * cols]
        x = 0
        while x < cols:
            if row[x] < 128:
                end = x
                while end < cols and row[end] < 128:
                    end += 1
                path.append(f"M{x} {y}h{end - x}v1h{x - end}z")
                x = end
            else:
                x += 1
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-1 -1 {cols + 2} {rows + 2}">'
            f'<path d="{"".join(path)}"/></svg>')
