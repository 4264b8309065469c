"""Recovers the Ethereum address behind each (hash, v, r, s) with eth-keys (PyPI), the
library eth-account uses, independently of the Swift code under test.

Input: {"signatures": [{"hash": hex32, "r": hex32, "s": hex32, "v": 0 | 1}]}
Output: {"addresses": [checksummed address or null when recovery fails]}
"""
import json
import sys

from eth_keys import keys


def main() -> None:
    request = json.load(sys.stdin)
    addresses = []
    for item in request["signatures"]:
        try:
            signature = keys.Signature(vrs=(item["v"], int(item["r"], 16), int(item["s"], 16)))
            public_key = signature.recover_public_key_from_msg_hash(bytes.fromhex(item["hash"]))
            addresses.append(public_key.to_checksum_address())
        except Exception:  # noqa: BLE001 - any failure is reported as a non-recovery
            addresses.append(None)
    json.dump({"addresses": addresses}, sys.stdout)


if __name__ == "__main__":
    main()
