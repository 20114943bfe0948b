"""A real browser for the console's tests: Debian's chromium driven by Playwright.

The suite's process is monkey-patched by eventlet (conftest.py), under which Playwright's own
event loop hangs when it stops; so Playwright runs in a child process of its own (this file run
as a script) and the tests send it one command per line, as JSON, and read its answer.

    with Browser() as browser:
        page = browser.page(width=375)
        page.goto(url); page.fill("input[name=code]", "123456"); page.click("text=签到")
        assert "签到成功" in page.text("main")
"""
import json
import os
import shutil
import subprocess
import sys

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# what this machine's closed network needs (no background connections), and root in a sandbox
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


def available():
    return os.path.exists(CHROMIUM)


class Page:
    def __init__(self, browser, number):
        self.browser, self.number = browser, number

    def __getattr__(self, op):
        return lambda *args: self.browser.call(op, self.number, *args)


class Browser:
    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True)

    def call(self, op, *args):
        self.proc.stdin.write(json.dumps({"op": op, "args": args}, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the browser's driver has stopped")
        answer = json.loads(line)
        if "error" in answer:
            raise AssertionError(f"browser: {op}{tuple(args)}: {answer['error']}")
        return answer["value"]

    def page(self, width=1200, height=900):
        return Page(self, self.call("new_page", width, height))

    def close(self):
        if self.proc.poll() is None:
            try:
                self.call("quit")
            except (RuntimeError, BrokenPipeError, OSError):
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _serve():
    """The driver: one command a line on stdin, one answer a line on stdout."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pages, errors = [], []

        def new_page(width, height):
            context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                          timezone_id="Asia/Shanghai")
            page = context.new_page()
            page.set_default_timeout(15000)
            page.on("pageerror", lambda e, n=len(pages): errors.append(f"page {n}: {e}"))
            pages.append(page)
            return len(pages) - 1

        def wait_text(page, sel, text):
            try:
                page.wait_for_function("([s, t]) => [...document.querySelectorAll(s)].some((e) => e.innerText.includes(t))",
                                       arg=[sel, text])
            except Exception as exc:  # say what the page showed instead
                shown = page.evaluate("(s) => [...document.querySelectorAll(s)].map((e) => e.innerText).join(' | ')", sel)
                raise AssertionError(f"{text!r} not shown in {sel}; it shows: {shown[:600]!r}") from exc

        ops = {
            "new_page": new_page,
            "goto": lambda n, url: pages[n].goto(url) and None,
            "fill": lambda n, sel, value: pages[n].fill(sel, value),
            "click": lambda n, sel: pages[n].click(sel),
            "check": lambda n, sel: pages[n].check(sel),
            "upload": lambda n, sel, path: pages[n].set_input_files(sel, path),
            "uncheck": lambda n, sel: pages[n].uncheck(sel),
            "select": lambda n, sel, value: pages[n].select_option(sel, value) and None,
            "wait": lambda n, sel: pages[n].wait_for_selector(sel) and None,
            "wait_attached": lambda n, sel: pages[n].wait_for_selector(sel, state="attached") and None,
            "wait_text": lambda n, sel, text: wait_text(pages[n], sel, text),
            "text": lambda n, sel: pages[n].inner_text(sel),
            "count": lambda n, sel: pages[n].locator(sel).count(),
            "attr": lambda n, sel, name: pages[n].get_attribute(sel, name),
            "eval": lambda n, js: pages[n].evaluate(js),
            "url": lambda n: pages[n].url,
            "screenshot": lambda n, path, full: pages[n].screenshot(path=path, full_page=full) and None,
            "errors": lambda n: [e for e in errors if e.startswith(f"page {n}:")],
        }
        for line in sys.stdin:
            command = json.loads(line)
            if command["op"] == "quit":
                print(json.dumps({"value": None}), flush=True)
                break
            try:
                value = ops[command["op"]](*command["args"])
                print(json.dumps({"value": value}, ensure_ascii=False), flush=True)
            except Exception as exc:  # the test reads it as its failure
                print(json.dumps({"error": f"{type(exc).__name__}: {exc}"[:2000]}, ensure_ascii=False), flush=True)
        browser.close()


if __name__ == "__main__":
    _serve()
