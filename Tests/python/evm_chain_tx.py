"""Rebuilds signed transactions from what a chain returns for them (eth_getTransactionByHash) and
recovers their senders with eth-account, independently of Custos' encoder: the raw form is
RLP-encoded here (pyrlp) from the chain's fields alone.

Input: {"transactions": [<eth_getTransactionByHash result>, ...]} — type 0, 1 or 2, quantities
as 0x-hex, `input` (or `data`), `accessList`, `v`/`yParity`, `r`, `s`.
Output: {"transactions": [{"raw": hex, "hash": hex, "hashMatches": bool, "sender": hex}]}: the
rebuilt raw transaction, its Keccak-256, whether that is the hash the chain named, and the
address eth-account recovers from it (lowercase hex, no 0x).
"""
import json
import sys

import rlp
from eth_account import Account
from eth_utils import keccak


def quantity(tx, key):
    return int(tx[key], 16)


def data(hex_text):
    text = hex_text or "0x"
    return bytes.fromhex(text[2:] if text.startswith("0x") else text)


def access_list(tx):
    return [[data(e["address"]), [data(k) for k in e.get("storageKeys", [])]] for e in tx.get("accessList") or []]


def rebuild(tx):
    """The raw signed transaction (EIP-2718 envelope for types 1 and 2) from the chain's fields."""
    kind = int(tx.get("type", "0x0"), 16)
    to = data(tx["to"]) if tx.get("to") else b""
    body = data(tx["input"] if tx.get("input") is not None else tx.get("data"))
    r, s = quantity(tx, "r"), quantity(tx, "s")
    if kind == 2:
        parity = quantity(tx, "yParity") if tx.get("yParity") is not None else quantity(tx, "v")
        fields = [quantity(tx, "chainId"), quantity(tx, "nonce"), quantity(tx, "maxPriorityFeePerGas"), quantity(tx, "maxFeePerGas"),
                  quantity(tx, "gas"), to, quantity(tx, "value"), body, access_list(tx), parity, r, s]
        return b"\x02" + rlp.encode(fields)
    if kind == 1:
        parity = quantity(tx, "yParity") if tx.get("yParity") is not None else quantity(tx, "v")
        fields = [quantity(tx, "chainId"), quantity(tx, "nonce"), quantity(tx, "gasPrice"), quantity(tx, "gas"), to,
                  quantity(tx, "value"), body, access_list(tx), parity, r, s]
        return b"\x01" + rlp.encode(fields)
    fields = [quantity(tx, "nonce"), quantity(tx, "gasPrice"), quantity(tx, "gas"), to, quantity(tx, "value"), body,
              quantity(tx, "v"), r, s]
    return rlp.encode(fields)


def main() -> None:
    request = json.load(sys.stdin)
    out = {"transactions": []}
    for tx in request["transactions"]:
        raw = rebuild(tx)
        digest = keccak(raw)
        out["transactions"].append({
            "raw": raw.hex(),
            "hash": digest.hex(),
            "hashMatches": "0x" + digest.hex() == tx["hash"].lower(),
            "sender": Account.recover_transaction(raw)[2:].lower(),
        })
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
