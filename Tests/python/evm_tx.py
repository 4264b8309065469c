"""eth-account as an independent transaction implementation for the Swift cross-checks.

Input: {"transactions": [{"kind": 0|1|2, "chainId": int|null, "nonce": str, "gasPrice": str,
"maxPriorityFeePerGas": str, "maxFeePerGas": str, "gas": str, "to": hex|null, "value": str,
"data": hex, "accessList": [{"address": hex, "storageKeys": [hex]}], "key": hex}, ...],
"decode": [hex, ...]}
Output: {"transactions": [{"raw", "hash", "signingHash", "sender"}], "decode": [{"sender", "to",
"value", "data", "nonce", "chainId"} or null]}. Integers travel as decimal strings.
"""
import json
import sys

import rlp

from eth_account import Account
from eth_account._utils.signing import serializable_unsigned_transaction_from_dict
from eth_utils import to_checksum_address


def to_dict(t):
    tx = {
        "nonce": int(t["nonce"]),
        "gas": int(t["gas"]),
        "value": int(t["value"]),
        "data": "0x" + t["data"],
    }
    if t.get("chainId") is not None:  # absent: a pre-EIP-155 legacy transaction
        tx["chainId"] = t["chainId"]
    if t.get("to") is not None:
        tx["to"] = to_checksum_address("0x" + t["to"])
    if t["kind"] == 2:
        tx["type"] = 2
        tx["maxPriorityFeePerGas"] = int(t["maxPriorityFeePerGas"])
        tx["maxFeePerGas"] = int(t["maxFeePerGas"])
    else:
        tx["gasPrice"] = int(t["gasPrice"])
        if t["kind"] == 1:
            tx["type"] = 1
    if t["kind"] in (1, 2):
        tx["accessList"] = [
            {"address": to_checksum_address("0x" + e["address"]),
             "storageKeys": ["0x" + k for k in e["storageKeys"]]}
            for e in t["accessList"]
        ]
    return tx


def fields(raw):
    """to, value, data, nonce and chain id of a raw transaction, read with rlp (independently
    of the Swift decoder); integers as decimal strings, bytes as hex."""
    if raw[0] == 2:
        items = rlp.decode(raw[1:])
        chain_id, nonce, to, value, data = items[0], items[1], items[5], items[6], items[7]
    elif raw[0] == 1:
        items = rlp.decode(raw[1:])
        chain_id, nonce, to, value, data = items[0], items[1], items[4], items[5], items[6]
    else:
        items = rlp.decode(raw)
        nonce, to, value, data = items[0], items[3], items[4], items[5]
        chain_id = None
    number = lambda b: str(int.from_bytes(b, "big"))
    return {"to": to.hex(), "value": number(value), "data": data.hex(), "nonce": number(nonce),
            "chainId": None if chain_id is None else number(chain_id)}


def main() -> None:
    request = json.load(sys.stdin)
    out = {"transactions": [], "decode": []}
    for t in request.get("transactions", []):
        tx = to_dict(t)
        signed = Account.sign_transaction(tx, bytes.fromhex(t["key"]))
        unsigned = serializable_unsigned_transaction_from_dict(dict(tx))
        out["transactions"].append({
            "raw": bytes(signed.raw_transaction).hex(),
            "hash": bytes(signed.hash).hex(),
            "signingHash": bytes(unsigned.hash()).hex(),
            "sender": Account.from_key(bytes.fromhex(t["key"])).address[2:].lower(),
        })
    for raw in request.get("decode", []):
        try:
            sender = Account.recover_transaction(bytes.fromhex(raw))
            out["decode"].append({"sender": sender[2:].lower(), **fields(bytes.fromhex(raw))})
        except Exception:  # any refusal counts as "does not decode"
            out["decode"].append(None)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
