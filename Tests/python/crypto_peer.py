"""Independent Keccak-256 and secp256k1 ECDSA for the Swift cross-checks.

Input (stdin JSON): {"keccak": [hex, ...], "ecdsa": [{"key": hex, "digest": hex}, ...]}
Output: {"keccak": [hex, ...], "ecdsa": [{"r": hex, "s": hex, "v": int, "address": hex}, ...]}
Keccak comes from pycryptodome, signatures from eth-keys (RFC 6979, low S).
"""
import json
import sys

from Crypto.Hash import keccak
from eth_keys import keys


def keccak256(data: bytes) -> str:
    h = keccak.new(digest_bits=256)
    h.update(data)
    return h.hexdigest()


def main() -> None:
    request = json.load(sys.stdin)
    out = {"keccak": [keccak256(bytes.fromhex(x)) for x in request.get("keccak", [])], "ecdsa": []}
    for item in request.get("ecdsa", []):
        key = keys.PrivateKey(bytes.fromhex(item["key"]))
        sig = key.sign_msg_hash(bytes.fromhex(item["digest"]))
        out["ecdsa"].append({
            "r": sig.r.to_bytes(32, "big").hex(),
            "s": sig.s.to_bytes(32, "big").hex(),
            "v": sig.v,
            "address": key.public_key.to_canonical_address().hex(),
            "pub": key.public_key.to_bytes().hex(),
        })
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
