"""The web console (gateway/console/): its files, served by the gateway beside the API they use,
and the QR codes its screens show (an activity's check-in code on the organizer's screen)."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "console"
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png"}
MAX_QR_TEXT = 300


def file(name):
    """(bytes, content type) of a console file, or None: only files under the console's folder, of
    the kinds it has (a path that climbs out, or any other file, is not there)."""
    if "\x00" in (name or ""):
        return None
    path = (ROOT / (name or "index.html")).resolve()
    if ROOT not in path.parents or path.suffix not in TYPES or not path.is_file():
        return None
    return path.read_bytes(), TYPES[path.suffix]


def qr_svg(text):
    """A QR code of `text` as SVG that scales to its box (one path, crisp at any size)."""
    import zxingcpp
    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = code.to_image(scale=1, add_quiet_zones=True)
    height, width = image.shape[0], image.shape[1]
    pixels = bytes(memoryview(image))
    dark = "".join(f"M{x},{y}h1v1h-1z" for y in range(height) for x in range(width) if pixels[y * width + x] < 128)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" shape-rendering="crispEdges">'
            f'<rect width="{width}" height="{height}" fill="#fff"/><path d="{dark}" fill="#000"/></svg>')
