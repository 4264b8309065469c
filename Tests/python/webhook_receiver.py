"""A webhook receiver for the alert webhook tests, checking each signature itself.

Usage: webhook_receiver.py SECRETS [FAIL_FIRST]
SECRETS is one secret file for every node, or a folder holding one secret per node, NODE.secret.
Prints {"ready": true, "port": N} once listening on 127.0.0.1; stops when stdin closes.
  POST /hook     answers 503 to the first FAIL_FIRST posts (default 0); then checks the
                 X-Custos-Signature header (sha256=HEX, HMAC-SHA256 of the body under the
                 secret of the node X-Custos-Node names, one trailing newline of the file
                 ignored) with Python's hmac, and that the body's node is that node; records
                 {"alert": id, "kind": kind, "node": id, "valid": bool, "signature": header,
                 "body": text} (id, kind and node null when the check fails), and answers
                 204, or 401 for a body that does not verify
  GET /received  the records so far, as a JSON list, and how many posts came in
"""
import hashlib
import hmac
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler

from rpc_misbehaving import serve


def read_secret(path):
    with open(path, "rb") as f:
        secret = f.read()
    if secret.endswith(b"\n"):
        secret = secret[:-1]
    if secret.endswith(b"\r"):
        secret = secret[:-1]
    return secret


secrets_path = sys.argv[1]
if os.path.isdir(secrets_path):
    secrets = {name[: -len(".secret")]: read_secret(os.path.join(secrets_path, name))
               for name in os.listdir(secrets_path) if name.endswith(".secret")}
    shared = None
else:
    secrets = {}
    shared = read_secret(secrets_path)
fail_first = int(sys.argv[2]) if len(sys.argv) > 2 else 0
lock = threading.Lock()
posts = 0
records = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, status, body: bytes = b""):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        global posts
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock:
            posts += 1
            if posts <= fail_first:
                self.reply(503, b"not yet")
                return
            header = self.headers.get("X-Custos-Signature", "")
            node = self.headers.get("X-Custos-Node", "")
            secret = shared if shared is not None else secrets.get(node)
            valid = False
            message = {}
            if secret is not None:
                expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
                if hmac.compare_digest(header, expected):
                    message = json.loads(body)
                    valid = message.get("node") == node
            if not valid:
                message = {}
            records.append({"alert": message.get("alert", {}).get("id"), "kind": message.get("alert", {}).get("kind"),
                            "node": message.get("node"), "valid": valid, "signature": header, "body": body.decode()})
        self.reply(204 if valid else 401)

    def do_GET(self):
        with lock:
            self.reply(200, json.dumps({"posts": posts, "received": records}).encode())

    def log_message(self, format, *args):
        pass


if __name__ == "__main__":
    serve(Handler)
