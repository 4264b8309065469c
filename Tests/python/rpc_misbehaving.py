"""A JSON-RPC endpoint that misbehaves on purpose, for the Swift client's failure tests.

Prints {"ready": true, "port": N} once listening on 127.0.0.1; stops when stdin closes.
The request path picks the behaviour; answers to eth_chainId are "0x2a" when it succeeds:
  /ok            answers at once
  /fail-twice    HTTP 503 for the first two requests, then answers
  /always-503    HTTP 503 forever
  /hang          never answers within the client's deadline (sleeps 30 s)
  /garbage       200 with a body that is not JSON
  /wrong-id      a response whose id is not the request's
  /rpc-error     a JSON-RPC error object (-32000 "nonce too low")
  /not-found     HTTP 404
  /resend        eth_sendRawTransaction: HTTP 503 first, then the JSON-RPC error
                 "already known" (the first attempt did reach the node)
  /old-node      eth_maxPriorityFeePerGas is "method not found"; eth_feeHistory answers
                 base fees [10, 12, 14] gwei-units and rewards [[3], [1], [2]]
  /narrow-logs   eth_getLogs over more than 10 blocks: the error -32005 "query returned more
                 than 10000 results" (Infura's); over at most 10, one Transfer log per block
  /no-logs       eth_getLogs: "block range too large" (code -32602) whatever the range
  /hits          (any method) how many requests each path has had, as the result
"""
import json
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

hits = Counter()
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, status, body: bytes):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        self.path = self.path.split("?")[0]  # the query is the client's to send, not ours to act on
        with lock:
            hits[self.path] += 1
            count = hits[self.path]
        if self.path == "/hits":
            # Request counts per path, for tests that check how many attempts were made.
            with lock:
                counts = dict(hits)
            self.reply(200, json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": counts}).encode())
            return
        if self.path == "/resend":
            if count == 1:
                self.reply(503, b"overloaded")
            else:
                self.reply(200, json.dumps({"jsonrpc": "2.0", "id": request["id"],
                                            "error": {"code": -32000, "message": "already known"}}).encode())
            return
        if self.path == "/old-node":
            if request["method"] == "eth_feeHistory":
                result = {"oldestBlock": "0x10", "baseFeePerGas": ["0xa", "0xc", "0xe"],
                          "gasUsedRatio": [0.5, 0.75], "reward": [["0x3"], ["0x1"], ["0x2"]]}
                self.reply(200, json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": result}).encode())
            else:
                self.reply(200, json.dumps({"jsonrpc": "2.0", "id": request["id"],
                                            "error": {"code": -32601, "message": "method not found"}}).encode())
            return
        if self.path in ("/narrow-logs", "/no-logs") and request["method"] == "eth_getLogs":
            query = request["params"][0]
            first, last = int(query["fromBlock"], 16), int(query["toBlock"], 16)
            if self.path == "/no-logs":
                error = {"code": -32602, "message": "block range too large"}
            elif last - first + 1 > 10:
                error = {"code": -32005, "message": "query returned more than 10000 results"}
            else:
                error = None
            if error:
                self.reply(200, json.dumps({"jsonrpc": "2.0", "id": request["id"], "error": error}).encode())
                return
            topics = [t for t in query["topics"] if t is not None]
            logs = [{"address": "0x" + "11" * 20, "topics": [topics[0], "0x" + "00" * 12 + "22" * 20, "0x" + "00" * 12 + "33" * 20],
                     "data": "0x" + "00" * 31 + "01", "blockNumber": hex(n), "transactionHash": "0x" + ("%064x" % n),
                     "blockHash": "0x" + ("%064x" % (n + 1 << 128)), "logIndex": "0x0"}
                    for n in range(first, last + 1)]
            self.reply(200, json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": logs}).encode())
            return
        ok = json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": "0x2a"}).encode()
        if self.path == "/ok" or (self.path == "/fail-twice" and count > 2):
            self.reply(200, ok)
        elif self.path in ("/fail-twice", "/always-503"):
            self.reply(503, b"overloaded")
        elif self.path == "/hang":
            time.sleep(30)
            self.reply(200, ok)
        elif self.path == "/garbage":
            self.reply(200, b"<html>not json</html>")
        elif self.path == "/wrong-id":
            self.reply(200, json.dumps({"jsonrpc": "2.0", "id": request["id"] + 1, "result": "0x2a"}).encode())
        elif self.path == "/rpc-error":
            self.reply(200, json.dumps({"jsonrpc": "2.0", "id": request["id"],
                                        "error": {"code": -32000, "message": "nonce too low"}}).encode())
        else:
            self.reply(404, b"no such path")

    def log_message(self, format, *args):
        pass


def serve(handler) -> None:
    """Serves `handler` on a free port of 127.0.0.1, announcing it as a JSON line on stdout,
    until stdin closes."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    print(json.dumps({"ready": True, "port": server.server_address[1]}), flush=True)

    def watch_stdin():
        sys.stdin.read()
        threading.Thread(target=server.shutdown, daemon=True).start()

    threading.Thread(target=watch_stdin, daemon=True).start()
    server.serve_forever()


def main() -> None:
    serve(Handler)


if __name__ == "__main__":
    main()
