#!/usr/bin/env python3
"""The development cluster's demo token and funding on the local EVM chain (scripts/evm-devnet.py).

    .venv/bin/python scripts/evm-demo-token.py --rpc http://127.0.0.1:PORT --fund 0xVAULT

Deploys "USDC", a minimal ERC-20 with 6 decimals (balanceOf, transfer with its Transfer event,
decimals, totalSupply; assembled below, no compiler needed), from eth-tester's first pre-funded
account (private key 0x…01) at its nonce 0, so that on a fresh chain the token's address is
always the same; then pays the address given with --fund 100 ETH and 1,000,000 USDC, once
(nothing is sent again if that address already holds ether). Prints one JSON line:
{"usdc": "0x…", "chainId": N, "funded": true|false}. Loopback only: it refuses any other host.
"""
import argparse
import json
import sys
import urllib.parse
import urllib.request

from eth_account import Account
from eth_utils import keccak, to_checksum_address
import rlp

DEPLOYER_KEY = "0x" + "0" * 63 + "1"
DECIMALS = 6
SUPPLY = 1_000_000_000 * 10**DECIMALS
TRANSFER_TOPIC = keccak(text="Transfer(address,address,uint256)")

OPCODES = {
    "STOP": 0x00, "ADD": 0x01, "SUB": 0x03, "LT": 0x10, "EQ": 0x14, "SHR": 0x1C, "CALLER": 0x33,
    "CALLDATALOAD": 0x35, "CODECOPY": 0x39, "MSTORE": 0x52, "SLOAD": 0x54, "SSTORE": 0x55,
    "JUMPI": 0x57, "JUMPDEST": 0x5B, "DUP1": 0x80, "DUP2": 0x81, "DUP3": 0x82, "SWAP1": 0x90,
    "LOG3": 0xA3, "RETURN": 0xF3, "REVERT": 0xFD,
}


def assemble(program):
    """Bytecode of `program`: opcode names, ("PUSH", n, value) and ("LABEL", name) /
    ("PUSHLABEL", name) for 2-byte jump targets, resolved in a second pass."""
    def build(labels):
        out = bytearray()
        for item in program:
            if isinstance(item, str):
                out.append(OPCODES[item])
            elif item[0] == "PUSH":
                _, width, value = item
                out.append(0x5F + width)
                out += value.to_bytes(width, "big")
            elif item[0] == "LABEL":
                labels[item[1]] = len(out)
                out.append(OPCODES["JUMPDEST"])
            elif item[0] == "PUSHLABEL":
                out.append(0x61)
                out += labels.get(item[1], 0).to_bytes(2, "big")
        return bytes(out)
    labels = {}
    build(labels)
    return build(labels)


def push(value, width=1):
    return ("PUSH", width, value)


RETURN_WORD = [push(0), "MSTORE", push(32), push(0), "RETURN"]
RUNTIME = assemble([
    push(0), "CALLDATALOAD", push(0xE0), "SHR",
    "DUP1", push(0x70A08231, 4), "EQ", ("PUSHLABEL", "balanceOf"), "JUMPI",
    "DUP1", push(0xA9059CBB, 4), "EQ", ("PUSHLABEL", "transfer"), "JUMPI",
    "DUP1", push(0x313CE567, 4), "EQ", ("PUSHLABEL", "decimals"), "JUMPI",
    "DUP1", push(0x18160DDD, 4), "EQ", ("PUSHLABEL", "totalSupply"), "JUMPI",
    ("LABEL", "fail"), push(0), "DUP1", "REVERT",
    ("LABEL", "balanceOf"), push(4), "CALLDATALOAD", "SLOAD", *RETURN_WORD,
    ("LABEL", "decimals"), push(DECIMALS), *RETURN_WORD,
    ("LABEL", "totalSupply"), push(SUPPLY, 32), *RETURN_WORD,
    # transfer(to, amount): refuse more than the caller holds; move it; log Transfer(caller, to, amount).
    ("LABEL", "transfer"),
    push(0x24), "CALLDATALOAD", "CALLER", "SLOAD",          # amount, balance
    "DUP2", "DUP2", "LT", ("PUSHLABEL", "fail"), "JUMPI",    # balance < amount: revert
    "DUP2", "SWAP1", "SUB", "CALLER", "SSTORE",              # amount
    push(4), "CALLDATALOAD", "DUP1", "SLOAD", "DUP3", "ADD", "SWAP1", "SSTORE",
    push(0), "MSTORE",
    push(4), "CALLDATALOAD", "CALLER", push(int.from_bytes(TRANSFER_TOPIC, "big"), 32), push(32), push(0), "LOG3",
    push(1), *RETURN_WORD,
])


def init_code():
    """The constructor: the whole supply to the deployer (with its Transfer event from the zero
    address), then the runtime above returned as the contract's code."""
    def constructor(offset):
        return assemble([
            push(SUPPLY, 32), "CALLER", "SSTORE",
            push(SUPPLY, 32), push(0), "MSTORE",
            "CALLER", push(0), push(int.from_bytes(TRANSFER_TOPIC, "big"), 32), push(32), push(0), "LOG3",
            push(len(RUNTIME), 2), "DUP1", push(offset, 2), push(0), "CODECOPY", push(0), "RETURN",
        ])
    head = constructor(0)
    return constructor(len(head)) + RUNTIME


class Chain:
    def __init__(self, url):
        host = urllib.parse.urlparse(url).hostname
        if host not in ("127.0.0.1", "localhost", "::1"):
            sys.exit(f"evm-demo-token: {host} is not loopback; this script only funds a local development chain")
        self.url = url
        self.next_id = 0

    def call(self, method, *params):
        self.next_id += 1
        body = json.dumps({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": list(params)}).encode()
        request = urllib.request.Request(self.url, body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.load(response)
        if "error" in answer:
            sys.exit(f"evm-demo-token: {method}: {answer['error'].get('message')}")
        return answer["result"]

    def send(self, account, chain_id, to, value=0, data=b"", gas=100_000):
        tx = {
            "type": 2, "chainId": chain_id, "nonce": int(self.call("eth_getTransactionCount", account.address, "latest"), 16),
            "maxPriorityFeePerGas": 10**9, "maxFeePerGas": 2 * int(self.call("eth_gasPrice"), 16) + 10**9,
            "gas": gas, "value": value, "data": "0x" + data.hex(),
        }
        if to is not None:
            tx["to"] = to
        signed = Account.sign_transaction(tx, account.key)
        raw = getattr(signed, "raw_transaction", None) or signed.rawTransaction
        receipt = self.call("eth_getTransactionReceipt", self.call("eth_sendRawTransaction", "0x" + bytes(raw).hex()))
        if receipt is None or int(receipt["status"], 16) != 1:
            sys.exit(f"evm-demo-token: the transaction to {to or 'a new contract'} failed: {receipt}")
        return receipt


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rpc", required=True, help="the local chain's JSON-RPC URL (loopback)")
    parser.add_argument("--fund", required=True, help="the address to pay 100 ETH and 1,000,000 USDC")
    args = parser.parse_args()
    chain = Chain(args.rpc)
    chain_id = int(chain.call("eth_chainId"), 16)
    deployer = Account.from_key(DEPLOYER_KEY)
    usdc = to_checksum_address(keccak(rlp.encode([bytes.fromhex(deployer.address[2:]), 0]))[12:])
    if chain.call("eth_getCode", usdc, "latest") in ("0x", "0x0", None):
        if int(chain.call("eth_getTransactionCount", deployer.address, "latest"), 16) != 0:
            sys.exit("evm-demo-token: the deployer already sent transactions on this chain, so the token cannot take its usual address")
        deployed = chain.send(deployer, chain_id, None, data=init_code(), gas=400_000)
        assert to_checksum_address(deployed["contractAddress"]) == usdc
    vault = to_checksum_address(args.fund)
    funded = int(chain.call("eth_getBalance", vault, "latest"), 16) == 0
    if funded:
        chain.send(deployer, chain_id, vault, value=100 * 10**18, gas=21_000)
        amount = 1_000_000 * 10**DECIMALS
        data = bytes.fromhex("a9059cbb") + bytes(12) + bytes.fromhex(vault[2:]) + amount.to_bytes(32, "big")
        chain.send(deployer, chain_id, usdc, data=data)
    print(json.dumps({"usdc": usdc, "chainId": chain_id, "funded": funded}), flush=True)


if __name__ == "__main__":
    main()
