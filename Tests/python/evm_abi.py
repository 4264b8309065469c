"""eth-abi as an independent ABI implementation for the Swift cross-checks.

Input: {"cases": [{"types": [str, ...], "values": [json, ...], "swift": hex}, ...],
"decodeOnly": [{"types": [str, ...], "data": hex}, ...]} where
integers are decimal strings, bytes and addresses are hex strings without 0x, arrays and
tuples are JSON lists. Output: {"cases": [{"encoded": hex, "decodedSwift": json}],
"decodeOnly": [json or null]}: eth-abi's encoding of the values, eth-abi's decoding of the
Swift encoding in the same JSON form, and its decoding (null: refused) of arbitrary data.
"""
import json
import sys

from eth_abi import decode, encode
from eth_abi.grammar import parse
from eth_utils import to_checksum_address


def to_python(t, v):
    if t.is_array:
        inner = t.item_type
        return [to_python(inner, x) for x in v]
    if t.__class__.__name__ == "TupleType":
        return tuple(to_python(c, x) for c, x in zip(t.components, v))
    base = t.base
    if base in ("uint", "int"):
        return int(v)
    if base == "address":
        return to_checksum_address("0x" + v)
    if base == "bool":
        return v
    if base == "bytes":
        return bytes.fromhex(v)
    if base == "string":
        return v
    raise ValueError(base)


def to_json(t, v):
    if t.is_array:
        return [to_json(t.item_type, x) for x in v]
    if t.__class__.__name__ == "TupleType":
        return [to_json(c, x) for c, x in zip(t.components, v)]
    base = t.base
    if base in ("uint", "int"):
        return str(v)
    if base == "address":
        return v[2:].lower()
    if base == "bool":
        return v
    if base == "bytes":
        return bytes(v).hex()
    return v


def main() -> None:
    request = json.load(sys.stdin)
    out = {"cases": []}
    for case in request.get("cases", []):
        parsed = [parse(t) for t in case["types"]]
        values = [to_python(t, v) for t, v in zip(parsed, case["values"])]
        encoded = encode(case["types"], values)
        decoded = decode(case["types"], bytes.fromhex(case["swift"]))
        out["cases"].append({
            "encoded": encoded.hex(),
            "decodedSwift": [to_json(t, v) for t, v in zip(parsed, decoded)],
        })
    out["decodeOnly"] = []
    for case in request.get("decodeOnly", []):
        parsed = [parse(t) for t in case["types"]]
        try:
            decoded = decode(case["types"], bytes.fromhex(case["data"]))
            out["decodeOnly"].append([to_json(t, v) for t, v in zip(parsed, decoded)])
        except Exception:  # eth-abi raises several decoding error types
            out["decodeOnly"].append(None)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
