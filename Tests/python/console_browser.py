"""Drives the gateway's approver console in headless Chromium (Debian's `chromium`) through the
DevTools protocol, as a test peer of Tests/CustosServicesTests/ConsoleBrowserTests.swift.

Input (JSON on stdin):
  {"baseURL": "http://localhost:PORT", "screenshots": DIR,
   "person": {"user": ID, "credentialId": b64url, "privateKey": b64url P-256 scalar (or "privateKeyPKCS8":
              base64 as WebAuthn.getCredentials gives it), "signCount": N, "rpId": "localhost"}
              (no credentialId: an authenticator without credentials),
   "actions": [{"do": "signIn"} | {"do": "inbox"} | {"do": "open", "operation": ID}
               | {"do": "approve", "operation": ID} | {"do": "declineUserVerification"}
               | {"do": "makeCode"} | {"do": "invite", "user": ID, "key": HEX} | {"do": "enrol", "code": CODE}
               | {"do": "propose", "operation": ID}
               | {"do": "requestInbox"} | {"do": "openRequest", "path": PATH} | {"do": "approveRequest", "path": PATH}
               | {"do": "rejectRequest", "path": PATH} (PATH: /console/requests/ID or /console/batches/ID;
                 with "scroll": true, the button is scrolled into view before the click)
               | {"do": "visit", "path": PATH} (any console page; its text as "text")
               | {"do": "script", "expression": JS} (its value: "value" if a boolean, else "text"), each optionally with "screenshot": NAME,
               and with "dialog": "accept" (the default) or "dismiss", or "expect": [TEXT, ...]]}
Output (JSON on stdout): {"results": [one object per action]}.

A signing action clicks its button even where the page's script took it away (through the
script's handler, still attached to the removed button) and counts the page's calls of
navigator.credentials.get after the click ("credentialRequests"): a refusal is shown, not assumed.

JavaScript dialogs (the console's window.confirm before it asks the authenticator) are answered
through Page.javascriptDialogOpening / Page.handleJavaScriptDialog, as a person would: an action
with "expect" accepts a dialog only if it holds every TEXT (what the person read on the page),
and dismisses it otherwise; without it, "dialog" says. Each result lists the dialogs' texts
("dialogs") and whether each was accepted ("accepted"), and the credential's signature counter
after it ("signCount": unchanged when nothing was signed).

The person's authenticator is a virtual CTAP2 authenticator (WebAuthn domain) with user
verification, holding the person's registered credential. Every wait is bounded; the browser
listens on loopback only and is stopped at the end.
"""

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

WAIT_SECONDS = 30


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def pkcs8(scalar):
    key = ec.derive_private_key(int.from_bytes(scalar, "big"), ec.SECP256R1())
    return key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


class DevTools:
    """One page's DevTools connection: commands answered by id; a JavaScript dialog is recorded
    and answered as `answer(text)` says (True: accept); other events are skipped."""

    def __init__(self, url):
        self.socket = websocket.create_connection(url, timeout=WAIT_SECONDS, suppress_origin=True)
        self.next_id = 0
        self.answer = lambda text: True
        self.dialogs = []

    def send(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        return self.next_id

    def call(self, method, **params):
        ident = self.send(method, **params)
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            message = json.loads(self.socket.recv())
            if message.get("method") == "Page.javascriptDialogOpening":
                # The page's script waits for the dialog; its answer is not awaited here.
                text = message["params"]["message"]
                accept = bool(self.answer(text))
                self.dialogs.append({"text": text, "accepted": accept})
                self.send("Page.handleJavaScriptDialog", accept=accept)
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
        raise RuntimeError(f"{method}: no answer")

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True, userGesture=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, what):
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                value = self.evaluate(expression)
            except RuntimeError:
                value = None  # the page is between documents
            if value:
                return value
            time.sleep(0.1)
        shown = self.evaluate("location.href + ' ' + (document.body ? document.body.innerText.slice(0, 3000) : '')")
        raise RuntimeError(f"timed out waiting for {what}; page: {shown}")

    def navigate(self, url):
        self.evaluate("window.__custosOld = true")
        self.call("Page.navigate", url=url)
        self.wait_for_new_document()

    def wait_for_new_document(self):
        self.wait_for("!window.__custosOld && document.readyState === 'complete'", "the next page")
        self.evaluate("window.__custosOld = true")

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))


def launch(profile):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise RuntimeError("no chromium on PATH; run scripts/install-deps.sh")
    process = subprocess.Popen(
        [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-address=127.0.0.1",
         "--remote-debugging-port=0", f"--user-data-dir={profile}", "--no-first-run", "--no-default-browser-check",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-pings",
         "--disable-features=Translate,OptimizationHints,MediaRouter", "--window-size=1280,900", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port_file = os.path.join(profile, "DevToolsActivePort")
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if os.path.exists(port_file):
            lines = open(port_file).read().split("\n")
            if lines and lines[0].strip():
                port = int(lines[0])
                targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5))
                pages = [t for t in targets if t.get("type") == "page"]
                if pages:
                    return process, pages[0]["webSocketDebuggerUrl"]
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("chromium did not start")


def text_of(page, element_id):
    return page.evaluate(f"(document.getElementById({json.dumps(element_id)}) || {{}}).textContent || null")


def open_signed_page(page, url):
    """Opens a page showing signed content; answers the digest it shows once its script computed it."""
    page.navigate(url)
    page.wait_for("document.body.dataset.digest", "the digest")
    return text_of(page, "digest")


# The driver's own instrumentation, run in every document before the page's script: counts this
# tab's calls of navigator.credentials.get (in its session storage, which outlives a form's
# navigation), and keeps every element a page's script removes, by id, so that the driver can
# click a button the script took away — through the script's own handler, still attached to it.
INSTRUMENTATION = """
(() => {
  const get = CredentialsContainer.prototype.get;
  CredentialsContainer.prototype.get = function (...args) {
    try { sessionStorage.setItem('custos-test-gets', String(Number(sessionStorage.getItem('custos-test-gets') || '0') + 1)); } catch (e) {}
    return get.apply(this, args);
  };
  const removed = {};
  Object.defineProperty(window, '__custosRemoved', { value: removed });
  new MutationObserver((records) => {
    for (const record of records) for (const node of record.removedNodes) if (node.id) removed[node.id] = node;
  }).observe(document, { childList: true, subtree: true });
})();
"""

CREDENTIAL_REQUESTS = "(() => { try { return Number(sessionStorage.getItem('custos-test-gets') || '0'); } catch (e) { return 0; } })()"


def sign_shown_content(page, url, button, result, scroll=False):
    """Opens a page showing signed content and signs it with the authenticator by its button
    (scrolled into view first, with `scroll`). "clicked" says whether the page offered the button;
    a button the page's script took away is clicked all the same, through the script's handler
    ("clickedRemoved"), as a person racing the script would. "credentialRequests" counts the
    page's calls of navigator.credentials.get after the click."""
    result["digest"] = open_signed_page(page, url)
    before = page.evaluate(CREDENTIAL_REQUESTS)
    element = f"document.getElementById({json.dumps(button)})"
    result["clicked"] = page.evaluate(f"!!{element}")
    if not result["clicked"]:
        result["read"] = page.evaluate("Array.from(document.querySelectorAll('[data-shown=\"summary\"]')).map(e => e.textContent)")
        element = f"window.__custosRemoved[{json.dumps(button)}]"
        result["clickedRemoved"] = page.evaluate(f"!!{element}")
        if not result["clickedRemoved"]:
            result["status"] = text_of(page, "decide-status")
            result["credentialRequests"] = page.evaluate(CREDENTIAL_REQUESTS) - before
            return
    elif scroll:
        page.evaluate(f"{element}.scrollIntoView()")
        result["scrollY"] = page.evaluate("window.scrollY")
    page.evaluate(f"{element}.click()")
    page.wait_for("!window.__custosOld && document.readyState === 'complete' || document.body.dataset.decision === 'failed'",
                  f"the page after {button}")
    result["notice"] = text_of(page, "notice")
    result["message"] = text_of(page, "message")
    result["status"] = text_of(page, "decide-status")
    result["credentialRequests"] = page.evaluate(CREDENTIAL_REQUESTS) - before
    page.evaluate("window.__custosOld = true")


def run(request):
    base = request["baseURL"].rstrip("/")
    shots = request["screenshots"]
    os.makedirs(shots, exist_ok=True)
    person = request["person"]
    profile = tempfile.mkdtemp(prefix="custos-chromium-")
    process, url = launch(profile)
    results = []
    try:
        page = DevTools(url)
        page.call("Page.enable")
        page.call("Runtime.enable")
        page.call("Page.addScriptToEvaluateOnNewDocument", source=INSTRUMENTATION)
        page.call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
        page.call("WebAuthn.enable", enableUI=False)
        authenticator = page.call("WebAuthn.addVirtualAuthenticator", options={
            "protocol": "ctap2", "transport": "usb", "hasResidentKey": True, "hasUserVerification": True,
            "isUserVerified": True, "automaticPresenceSimulation": True})["authenticatorId"]
        page.authenticator = authenticator
        signs = bool(person.get("credentialId"))
        if person.get("credentialId"):
            key = person.get("privateKeyPKCS8") or base64.b64encode(pkcs8(b64url_decode(person["privateKey"]))).decode()
            page.call("WebAuthn.addCredential", authenticatorId=authenticator, credential={
                "credentialId": base64.b64encode(b64url_decode(person["credentialId"])).decode(),
                "isResidentCredential": True, "rpId": person["rpId"], "privateKey": key,
                "userHandle": base64.b64encode(person["user"].encode()).decode(),
                "signCount": person["signCount"]})
        for action in request["actions"]:
            kind = action["do"]
            result = {"do": kind}
            expected = action.get("expect")
            if expected is not None:
                page.answer = lambda text, expected=expected: all(e in text for e in expected)
            else:
                page.answer = lambda text, accept=action.get("dialog", "accept") == "accept": accept
            page.dialogs = []
            if kind == "signIn":
                page.navigate(base + "/console/sign-in")
                page.evaluate("document.getElementById('sign-in-button').click()")
                page.wait_for("!window.__custosOld && document.readyState === 'complete' || document.body.dataset.signIn === 'failed'",
                              "the page after sign-in")
                result["user"] = text_of(page, "signed-in-user")
                result["status"] = text_of(page, "sign-in-status")
                if result["user"] is None and not action.get("mayFail"):
                    raise RuntimeError(f"not signed in: {page.evaluate('document.body.innerText')}")
                page.evaluate("window.__custosOld = true")
            elif kind == "inbox":
                page.navigate(base + "/console/")
                result["rows"] = page.evaluate(
                    "Array.from(document.querySelectorAll('#inbox tr.item')).map(r => Array.from(r.cells).map(c => c.textContent))")
                result["freeze"] = text_of(page, "freeze")
            elif kind == "open":
                result["digest"] = open_signed_page(page, base + "/console/operations/" + action["operation"])
                result["summary"] = text_of(page, "summary")
                result["approvals"] = text_of(page, "approvals")
                result["signed"] = page.evaluate(
                    "Array.from(document.querySelectorAll('#signed tr')).map(r => [r.cells[0].textContent, r.cells[1].textContent])")
                result["freeze"] = text_of(page, "freeze")
            elif kind == "approve":
                sign_shown_content(page, base + "/console/operations/" + action["operation"], "approve", result)
            elif kind == "makeCode":
                page.navigate(base + "/console/enrol")
                page.evaluate("document.getElementById('make-code').click()")
                page.wait_for("document.body.dataset.code === 'made'", "the code made in the page")
                result["code"] = text_of(page, "new-code")
                result["key"] = text_of(page, "new-key")
            elif kind == "invite":
                page.navigate(base + "/console/")
                page.evaluate(f"document.getElementById('invite-user').value = {json.dumps(action['user'])}")
                page.evaluate(f"document.getElementById('invite-key').value = {json.dumps(action['key'])}")
                page.evaluate("document.getElementById('invite').submit()")
                page.wait_for_new_document()
                result["key"] = text_of(page, "enrol-key")
                result["operation"] = text_of(page, "enrol-operation")
            elif kind == "enrol":
                page.navigate(base + "/console/enrol")
                page.evaluate(f"document.getElementById('code').value = {json.dumps(action['code'])}")
                page.evaluate("document.getElementById('enrol-continue').click()")
                page.wait_for("!window.__custosOld && document.readyState === 'complete' || document.body.dataset.enrolment === 'failed'",
                              "the page after entering the code")
                page.evaluate("window.__custosOld = true")
                if page.evaluate("!!document.getElementById('register')"):
                    page.evaluate("document.getElementById('register').click()")
                    page.wait_for("!window.__custosOld && document.readyState === 'complete' || document.body.dataset.enrolment === 'failed'",
                                  "the page after registering")
                    page.evaluate("window.__custosOld = true")
                result["message"] = text_of(page, "message")
                result["status"] = text_of(page, "enrol-status") or text_of(page, "notice") or text_of(page, "enrol-code-status")
                result["credentials"] = page.call("WebAuthn.getCredentials", authenticatorId=authenticator)["credentials"]
            elif kind == "propose":
                sign_shown_content(page, base + "/console/enrolments/" + action["operation"], "propose", result)
            elif kind == "freeze":
                sign_shown_content(page, base + "/console/freeze", "propose", result)
            elif kind == "requestInbox":
                page.navigate(base + "/console/")
                result["rows"] = page.evaluate(
                    "Array.from(document.querySelectorAll('#requests tr.request')).map(r => "
                    "[r.dataset.request, r.dataset.count].concat(Array.from(r.cells).map(c => c.textContent)))")
                result["notice"] = text_of(page, "notice")
            elif kind == "openRequest":
                result["digest"] = open_signed_page(page, base + action["path"])
                result["summary"] = text_of(page, "summary")
                result["approvals"] = text_of(page, "approvals")
                result["read"] = page.evaluate("Array.from(document.querySelectorAll('[data-shown=\"summary\"]')).map(e => e.textContent)")
                result["ids"] = page.evaluate("Array.from(document.querySelectorAll('[data-shown=\"id\"]')).map(e => e.textContent)")
                result["warnings"] = page.evaluate("Array.from(document.querySelectorAll('p.warning')).map(e => e.textContent)")
            elif kind in ("approveRequest", "rejectRequest"):
                sign_shown_content(page, base + action["path"], "approve" if kind == "approveRequest" else "reject", result,
                                   scroll=action.get("scroll", False))
            elif kind == "visit":
                page.navigate(base + action["path"])
                result["text"] = page.evaluate("document.body.innerText")
            elif kind == "declineUserVerification":
                page.call("WebAuthn.setUserVerified", authenticatorId=authenticator, isUserVerified=False)
            elif kind == "script":
                value = page.evaluate(action["expression"])
                result["value" if isinstance(value, bool) else "text"] = value
            else:
                raise RuntimeError(f"unknown action {kind}")
            if "screenshot" in action:
                path = os.path.join(shots, action["screenshot"])
                page.screenshot(path)
                result["screenshot"] = path
            if signs and "signCount" not in result:
                credentials = page.call("WebAuthn.getCredentials", authenticatorId=authenticator)["credentials"]
                result["signCount"] = max((c["signCount"] for c in credentials), default=0)
            result["dialogs"] = [d["text"] for d in page.dialogs]
            result["accepted"] = [d["accepted"] for d in page.dialogs]
            results.append(result)
        page.socket.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)
    return {"results": results}


if __name__ == "__main__":
    json.dump(run(json.load(sys.stdin)), sys.stdout)
