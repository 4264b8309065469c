#!/usr/bin/env python3
"""A local EVM chain for tests: py-evm through eth-tester, served as Ethereum JSON-RPC over
HTTP on 127.0.0.1.

    .venv/bin/python scripts/evm-devnet.py [--port N]

--port 0 (the default) picks a free port. With --journal FILE the chain keeps its data across
restarts: every mined transaction is appended to FILE (its raw form, one hex line, synced), and a
start replays FILE first, so the chain comes back with the same accounts, nonces and contracts
and a transaction signed before the restart is never taken again (its nonce is used). When the server is listening it prints one JSON
line on standard output, {"ready": true, "port": N, "chainId": N}, so that a test can start
it, read the line, and connect. It stops on SIGTERM/SIGINT or when standard input closes.

Transactions are mined as soon as they arrive (eth-tester's auto-mine), unless the chain holds
them: `devnet_setMinimumFee [wei]` makes it keep a transaction whose max fee per gas (gas price
for a legacy one) is below `wei` pending, as a chain whose base fee rose above it does — the fee
suggestions do not change, as if the base fee jumped after the sender read them. A pending
transaction is reported with no block and no receipt. A transaction at the nonce of a pending one
of the same sender replaces it if both its fees are at least 10 % higher ("replacement
transaction underpriced" otherwise), as mempools do; it is mined if it pays the minimum. Later
nonces of a sender with a pending transaction wait behind it. Setting a lower minimum (0 ends the
hold) mines what now pays it. A reverted eth_call
answers error code 3 with the revert data as the error's `data`, as execution clients do. The ten
pre-funded accounts are eth-tester's: private keys 0x…01 to 0x…0a, 1,000,000 ETH each.
This is a development chain: it never listens on anything but loopback.

Methods: eth_chainId, net_version, eth_blockNumber, eth_getBalance, eth_getTransactionCount,
eth_getCode, eth_getStorageAt, eth_gasPrice, eth_maxPriorityFeePerGas, eth_feeHistory,
eth_getBlockByNumber, eth_call, eth_estimateGas, eth_sendRawTransaction,
eth_getTransactionByHash, eth_getTransactionReceipt, eth_getLogs; devnet_setMinimumFee.
"""
import argparse
import json
import os
import re
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import rlp
from eth_account import Account
from eth_tester import EthereumTester, PyEVMBackend
from eth_tester.backends.pyevm import main as pyevm_main
from eth_tester.exceptions import (
    BlockNotFound,
    TransactionFailed,
    TransactionNotFound,
)
from eth_utils import keccak, to_checksum_address

PRIORITY_FEE = 1_000_000_000  # 1 gwei suggested tip


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def to_rpc(value):
    """eth-tester's Python values to JSON-RPC's: quantities as 0x-hex, camelCase keys."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return hex(value)
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, dict):
        return {camel(k): to_rpc(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_rpc(v) for v in value]
    return value


def quantity(text) -> int:
    if isinstance(text, int):
        return text
    if not isinstance(text, str) or not re.fullmatch(r"0x[0-9a-fA-F]+", text):
        raise ValueError(f"not a quantity: {text!r}")
    return int(text, 16)


def block_id(value):
    if value in (None, "latest", "pending", "safe", "finalized"):
        return "latest" if value in (None, "safe", "finalized") else value
    if value == "earliest":
        return "earliest"
    return quantity(value)


def call_object(obj, default_from):
    tx = {}
    for key, target in (("from", "from"), ("to", "to"), ("data", "data"), ("input", "data")):
        if obj.get(key) is not None:
            tx[target] = obj[key]
    for key, target in (("value", "value"), ("gas", "gas"), ("gasPrice", "gas_price"),
                        ("maxFeePerGas", "max_fee_per_gas"),
                        ("maxPriorityFeePerGas", "max_priority_fee_per_gas")):
        if obj.get(key) is not None:
            tx[target] = quantity(obj[key])
    # Nodes let anyone call for free; py-evm charges the caller even here, so an
    # unspecified sender is a funded account.
    tx.setdefault("from", default_from)
    tx.setdefault("data", "0x")
    return tx


# eth-tester turns a reverted call into a message and drops its revert data; execution clients
# answer eth_call's revert with error code 3 and the data as `data`. Keep the data of the last
# call made (calls run under Chain.lock, one at a time).
_last_computation = threading.local()
_execute_and_revert = pyevm_main._execute_and_revert_transaction


def _execute_and_keep(chain, transaction, block_number="latest"):
    computation = _execute_and_revert(chain, transaction, block_number)
    _last_computation.value = computation
    return computation


pyevm_main._execute_and_revert_transaction = _execute_and_keep


def revert_data() -> str:
    computation = getattr(_last_computation, "value", None)
    error = getattr(computation, "_error", None) if computation is not None else None
    data = error.args[0] if error is not None and error.args and isinstance(error.args[0], (bytes, bytearray)) else b""
    return "0x" + bytes(data).hex()


class RPCError(Exception):
    def __init__(self, code: int, message: str, data=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data


def pending_fields(raw: bytes) -> dict:
    """The JSON-RPC fields of a raw signed transaction not yet mined (no block), its fees as
    integers under `fee` and `tip` for the pool's rules."""
    sender = Account.recover_transaction(raw)
    number = lambda b: int.from_bytes(b, "big")
    if raw[0] in (1, 2):
        items = rlp.decode(raw[1:])
        if raw[0] == 2:
            chain_id, nonce, tip, fee, gas, to, value, data = items[:8]
            tip, fee = number(tip), number(fee)
        else:
            chain_id, nonce, price, gas, to, value, data = items[:7]
            tip = fee = number(price)
        v, r, s = items[-3:]
        kind = raw[0]
    else:
        nonce, price, gas, to, value, data, v, r, s = rlp.decode(raw)
        tip = fee = number(price)
        chain_id, kind = None, 0
    fields = {
        "hash": "0x" + keccak(raw).hex(), "blockHash": None, "blockNumber": None, "transactionIndex": None,
        "from": sender, "to": to_checksum_address(to) if to else None, "nonce": hex(number(nonce)), "gas": hex(number(gas)),
        "value": hex(number(value)), "input": "0x" + bytes(data).hex(), "type": hex(kind),
        "v": hex(number(v)), "r": hex(number(r)), "s": hex(number(s)),
    }
    if chain_id is not None:
        fields["chainId"] = hex(number(chain_id))
    if kind == 2:
        fields["maxFeePerGas"], fields["maxPriorityFeePerGas"] = hex(fee), hex(tip)
    else:
        fields["gasPrice"] = hex(fee)
    return {"rpc": fields, "raw": raw, "sender": sender, "nonce": number(nonce), "fee": fee, "tip": tip}


class Chain:
    def __init__(self, journal=None):
        self.tester = EthereumTester(PyEVMBackend())
        self.lock = threading.Lock()
        self.chain_id = self.tester.backend.chain.chain_id
        self.default_from = self.tester.get_accounts()[0]
        # devnet_setMinimumFee: transactions paying less wait here, by (sender, nonce).
        self.minimum_fee = 0
        self.pending = {}
        self.journal = None
        if journal is not None:
            try:
                with open(journal, encoding="ascii") as earlier:
                    for line in earlier:
                        if line.strip():
                            self.tester.send_raw_transaction(line.strip())
            except FileNotFoundError:
                pass
            self.journal = open(journal, "a", encoding="ascii")

    def mine(self, raw_hex):
        """Mines a raw transaction and appends it to the journal, if any; eth-tester's answer."""
        result = self.tester.send_raw_transaction(raw_hex)
        if self.journal is not None:
            self.journal.write(raw_hex + "\n")
            self.journal.flush()
            os.fsync(self.journal.fileno())
        return result

    def send_raw(self, raw_hex):
        """eth_sendRawTransaction through the pool: held below the minimum fee or behind a
        pending nonce of its sender, replacing a pending one at its nonce, else mined."""
        raw = bytes.fromhex(raw_hex[2:] if raw_hex.startswith("0x") else raw_hex)
        tx = pending_fields(raw)
        # A nonce the chain already used is refused, never held: held, it would hide the mined
        # receipt and make later nonces of its sender wait behind it.
        if tx["nonce"] < self.tester.get_nonce(tx["sender"]):
            raise RPCError(-32000, "nonce too low")
        key = (tx["sender"], tx["nonce"])
        earlier = self.pending.get(key)
        if earlier is not None:
            if earlier["raw"] == raw:
                raise RPCError(-32000, "already known")
            if tx["fee"] * 10 < earlier["fee"] * 11 or tx["tip"] * 10 < earlier["tip"] * 11:
                raise RPCError(-32000, "replacement transaction underpriced")
            del self.pending[key]
        waiting = any(s == tx["sender"] and n < tx["nonce"] for s, n in self.pending)
        if tx["fee"] < self.minimum_fee or waiting:
            self.pending[key] = tx
            return tx["rpc"]["hash"]
        try:
            result = to_rpc(self.mine(raw_hex))
        except Exception as failure:  # eth-tester and py-evm raise several kinds
            raise RPCError(-32000, str(failure))
        self.release()
        return result

    def release(self):
        """Mines the pending transactions that now pay the minimum and are next for their sender."""
        progress = True
        while progress:
            progress = False
            for key in sorted(self.pending):
                tx = self.pending[key]
                if tx["fee"] < self.minimum_fee or tx["nonce"] != self.tester.get_nonce(tx["sender"]):
                    continue
                del self.pending[key]
                try:
                    self.mine("0x" + tx["raw"].hex())
                except Exception:  # refused now (funds, nonce): dropped, as a pool drops it
                    pass
                progress = True
                break

    def pending_by_hash(self, tx_hash):
        return next((tx for tx in self.pending.values() if tx["rpc"]["hash"] == tx_hash.lower()), None)

    def dispatch(self, method, params):
        t = self.tester
        if method == "eth_chainId":
            return hex(self.chain_id)
        if method == "net_version":
            return str(self.chain_id)
        if method == "eth_blockNumber":
            return hex(t.get_block_by_number("latest")["number"])
        if method == "eth_getBalance":
            return hex(t.get_balance(params[0], block_id(params[1] if len(params) > 1 else None)))
        if method == "eth_getTransactionCount":
            return hex(t.get_nonce(params[0], block_id(params[1] if len(params) > 1 else None)))
        if method == "eth_getCode":
            return to_rpc(t.get_code(params[0], block_id(params[1] if len(params) > 1 else None)))
        if method == "eth_getStorageAt":
            return to_rpc(t.get_storage_at(params[0], quantity(params[1]), block_id(params[2] if len(params) > 2 else None)))
        if method == "eth_gasPrice":
            return hex(t.get_block_by_number("latest")["base_fee_per_gas"] + PRIORITY_FEE)
        if method == "eth_maxPriorityFeePerGas":
            return hex(PRIORITY_FEE)
        if method == "eth_feeHistory":
            return self.fee_history(quantity(params[0]), block_id(params[1]), params[2] if len(params) > 2 else [])
        if method == "eth_getBlockByNumber":
            try:
                block = t.get_block_by_number(block_id(params[0]), bool(params[1]) if len(params) > 1 else False)
            except BlockNotFound:
                return None
            return to_rpc(block)
        if method == "eth_call":
            _last_computation.value = None
            try:
                return to_rpc(t.call(call_object(params[0], self.default_from), block_id(params[1] if len(params) > 1 else None)))
            except TransactionFailed as failure:
                raise RPCError(3, f"execution reverted: {failure}", revert_data())
        if method == "eth_estimateGas":
            try:
                return hex(t.estimate_gas(call_object(params[0], self.default_from), block_id(params[1] if len(params) > 1 else None)))
            except TransactionFailed as failure:
                raise RPCError(3, f"execution reverted: {failure}")
        if method == "eth_sendRawTransaction":
            return self.send_raw(params[0])
        if method == "eth_getTransactionByHash":
            held = self.pending_by_hash(params[0])
            if held is not None:
                return held["rpc"]
            try:
                return to_rpc(t.get_transaction_by_hash(params[0]))
            except TransactionNotFound:
                return None
        if method == "eth_getTransactionReceipt":
            if self.pending_by_hash(params[0]) is not None:
                return None
            try:
                return to_rpc(t.get_transaction_receipt(params[0]))
            except TransactionNotFound:
                return None
        if method == "devnet_setMinimumFee":
            self.minimum_fee = quantity(params[0])
            self.release()
            return True
        if method == "eth_getLogs":
            f = params[0]
            return to_rpc(list(t.get_logs(
                from_block=block_id(f.get("fromBlock")) if f.get("fromBlock") else None,
                to_block=block_id(f.get("toBlock")) if f.get("toBlock") else None,
                address=f.get("address"), topics=f.get("topics"))))
        raise RPCError(-32601, f"method {method} not found")

    def fee_history(self, count, newest, percentiles):
        """eth_feeHistory as execution clients answer it (eth-tester's own omits the next
        block's base fee and the rewards): blockCount + 1 base fees, gas-used ratios, and
        per block the effective tips at the requested percentiles, weighted by gas used."""
        t = self.tester
        latest = t.get_block_by_number("latest")["number"]
        last = latest if newest in ("latest", "pending") else (0 if newest == "earliest" else newest)
        count = max(1, min(count, 1024, last + 1))
        first = last - count + 1
        base_fees, ratios, rewards = [], [], []
        for number in range(first, last + 1):
            block = t.get_block_by_number(number, True)
            base = block["base_fee_per_gas"]
            base_fees.append(base)
            ratios.append(block["gas_used"] / block["gas_limit"])
            tips = []
            for tx in block["transactions"]:
                used = t.get_transaction_receipt(tx["hash"])["gas_used"]
                if tx.get("max_fee_per_gas") is not None:
                    tip = min(tx["max_priority_fee_per_gas"], tx["max_fee_per_gas"] - base)
                else:
                    tip = tx["gas_price"] - base
                tips.append((tip, used))
            tips.sort()
            row = []
            for p in percentiles:
                if not tips:
                    row.append(0)
                    continue
                threshold = sum(u for _, u in tips) * p / 100
                cumulative = 0
                chosen = tips[-1][0]
                for tip, used in tips:
                    cumulative += used
                    if cumulative >= threshold:
                        chosen = tip
                        break
                row.append(chosen)
            rewards.append(row)
        # EIP-1559 base fee of the block after `last`.
        block = t.get_block_by_number(last)
        base, used, target = block["base_fee_per_gas"], block["gas_used"], block["gas_limit"] // 2
        if used > target:
            base_fees.append(base + max(1, base * (used - target) // target // 8))
        else:
            base_fees.append(base - base * (target - used) // target // 8)
        history = {"oldestBlock": hex(first), "baseFeePerGas": [hex(b) for b in base_fees], "gasUsedRatio": ratios}
        if percentiles:
            history["reward"] = [[hex(r) for r in row] for row in rewards]
        return history

    def handle(self, request):
        if not isinstance(request, dict) or request.get("jsonrpc") != "2.0" or "method" not in request:
            return {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "invalid request"}}
        rid = request.get("id")
        try:
            with self.lock:
                result = self.dispatch(request["method"], request.get("params") or [])
            return {"jsonrpc": "2.0", "id": rid, "result": result}
        except RPCError as error:
            body = {"code": error.code, "message": error.message}
            if error.data is not None:
                body["data"] = error.data
            return {"jsonrpc": "2.0", "id": rid, "error": body}
        except (IndexError, KeyError, TypeError) as error:
            return {"jsonrpc": "2.0", "id": rid, "error": {"code": -32602, "message": f"invalid params: {error!r}"}}
        except Exception as error:  # the node refused: validation, replay, funds, ...
            return {"jsonrpc": "2.0", "id": rid, "error": {"code": -32000, "message": str(error)}}


def serve(port: int, journal=None) -> None:
    chain = Chain(journal)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            try:
                request = json.loads(body)
            except json.JSONDecodeError:
                response = {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "parse error"}}
            else:
                if isinstance(request, list):
                    response = [chain.handle(r) for r in request]
                else:
                    response = chain.handle(request)
            payload = json.dumps(response).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format, *args):  # quiet: tests read stdout
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def watch_stdin():
        # The parent (a test) holding our stdin open is our lease: when it goes, we go.
        sys.stdin.read()
        stop()

    threading.Thread(target=watch_stdin, daemon=True).start()
    print(json.dumps({"ready": True, "port": server.server_address[1], "chainId": chain.chain_id}), flush=True)
    server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0 picks a free one)")
    parser.add_argument("--journal", help="keep the chain's data across restarts in this file (mined transactions, replayed at start)")
    args = parser.parse_args()
    serve(args.port, args.journal)


if __name__ == "__main__":
    main()
