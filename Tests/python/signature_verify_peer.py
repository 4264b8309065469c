"""Independent verification of signatures a vault made, for the Swift end-to-end tests.

Input (stdin JSON): {"ed25519": [{"key": hex, "message": hex, "signature": hex}, ...],
                     "bip340": [{"xonly": hex, "message": hex, "signature": hex}, ...],
                     "eip191": [{"message": hex, "signature": hex}, ...],
                     "eip712": [{"typedData": JSON text, "signature": hex}, ...]}
Output: {"ed25519": [bool, ...], "bip340": [bool, ...], "eip191": [address, ...], "eip712": [address, ...]}
Ed25519 comes from PyNaCl (libsodium), BIP-340 from coincurve (libsecp256k1); for EIP-191 and
EIP-712 eth-account recovers the signer's address (EIP-55) from the 65-byte signature.
"""
import json
import sys

import coincurve
from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data
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


def eip191(item) -> str:
    return Account.recover_message(encode_defunct(primitive=bytes.fromhex(item["message"])),
                                   signature=bytes.fromhex(item["signature"]))


def eip712(item) -> str:
    return Account.recover_message(encode_typed_data(full_message=json.loads(item["typedData"])),
                                   signature=bytes.fromhex(item["signature"]))


def main() -> None:
    request = json.load(sys.stdin)
    json.dump({"ed25519": [ed25519(x) for x in request.get("ed25519", [])],
               "bip340": [bip340(x) for x in request.get("bip340", [])],
               "eip191": [eip191(x) for x in request.get("eip191", [])],
               "eip712": [eip712(x) for x in request.get("eip712", [])]}, sys.stdout)


if __name__ == "__main__":
    main()
