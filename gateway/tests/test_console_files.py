"""The console's files as the gateway serves them."""
import importlib.util
import re
from pathlib import Path

# by its file: beside the tests' working directory, `gateway.console` is also the folder of the files
_spec = importlib.util.spec_from_file_location("gateway_console", Path(__file__).resolve().parents[1] / "gateway" / "console.py")
console = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(console)


def test_the_page_preloads_every_module_of_the_console_and_nothing_that_is_not_there():
    html = console.file("index.html")[0].decode()
    preloaded = set(re.findall(r'<link rel="modulepreload" href="/console/([^"]+)">', html))
    modules = {str(p.relative_to(console.ROOT)) for p in console.ROOT.rglob("*.js")}
    assert preloaded == modules
    for name in modules:
        assert console.file(name) is not None


def test_only_the_consoles_own_files_are_served():
    assert console.file("../gateway/service.py") is None
    assert console.file("js/app.js\x00.png") is None
    assert console.file("js/nothing.js") is None
