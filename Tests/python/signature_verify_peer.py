"""Independent verification of signatures a vault made, for the Swift end-to-end tests.

Input (stdin JSON): {"ed25519": [{"key": hex, "message": hex, "signature": hex}, ...],
                     "bip340": [{"xonly": hex, "message": hex, "signature": hex}, ...]}
Output: {"ed25519": [bool, ...], "bip340": [bool, ...]}
Ed25519 comes from PyNaCl (libsodium), BIP-340 from coincurve (libsecp256k1).
"""
import json
import sys

import coincurve
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey


def ed25519(item) -> bool:
    try:
        VerifyKey(bytes.fromhex(item["key"])).verify(bytes.fromhex(item["message"]), bytes.fromhex(item["signature"]))
        return True
    except BadSignatureError:
        return False


def bip340(item) -> bool:
    key = coincurve.PublicKeyXOnly(bytes.fromhex(item["xonly"]))
    return key.verify(bytes.fromhex(item["signature"]), bytes.fromhex(item["message"]))


def main() -> None:
    request = json.load(sys.stdin)
    json.dump({"ed25519": [ed25519(x) for x in request.get("ed25519", [])],
               "bip340": [bip340(x) for x in request.get("bip340", [])]}, sys.stdout)


if __name__ == "__main__":
    main()
