"""eth-account as an independent EIP-712 / EIP-191 implementation for the Swift cross-checks.

Input: {"typed": [typedData, ...], "personal": [{"message": hex, "key": hex}, ...],
"validator": [{"validator": hex, "data": hex}, ...]}
Output: {"typed": [digest hex], "personal": [{"hash": hex, "r": hex, "s": hex, "v": int}],
"validator": [hash hex]} (EIP-191 version 0x45 and version 0x00).
Integer members may arrive as decimal or 0x strings; they are converted to int first.
"""
import json
import sys

from eth_account import Account
from eth_account.messages import (
    _hash_eip191_message,
    encode_defunct,
    encode_intended_validator,
    encode_typed_data,
)
from eth_utils import to_checksum_address

INT_PREFIXES = ("uint", "int")


def normalise(types, type_name, value):
    if type_name.endswith("]"):
        inner = type_name[: type_name.rindex("[")]
        return [normalise(types, inner, v) for v in value]
    if type_name in types:
        return {m["name"]: normalise(types, m["type"], value[m["name"]]) for m in types[type_name]}
    if type_name.startswith(INT_PREFIXES) and isinstance(value, str):
        return int(value, 16) if value.startswith("0x") else int(value)
    return value


def main() -> None:
    request = json.load(sys.stdin)
    out = {"typed": [], "personal": [], "validator": []}
    for data in request.get("typed", []):
        types = data["types"]
        full = {
            "types": types,
            "primaryType": data["primaryType"],
            "domain": normalise(types, "EIP712Domain", data["domain"]),
            "message": normalise(types, data["primaryType"], data["message"]),
        }
        out["typed"].append(_hash_eip191_message(encode_typed_data(full_message=full)).hex())
    for item in request.get("personal", []):
        signable = encode_defunct(primitive=bytes.fromhex(item["message"]))
        signed = Account.sign_message(signable, bytes.fromhex(item["key"]))
        out["personal"].append({
            "hash": bytes(signed.message_hash).hex(),
            "r": signed.r.to_bytes(32, "big").hex(),
            "s": signed.s.to_bytes(32, "big").hex(),
            "v": signed.v,
        })
    for item in request.get("validator", []):
        signable = encode_intended_validator(
            to_checksum_address("0x" + item["validator"]), primitive=bytes.fromhex(item["data"]))
        out["validator"].append(_hash_eip191_message(signable).hex())
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
