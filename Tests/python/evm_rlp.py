"""pyrlp as an independent RLP implementation for the Swift cross-checks.

Input: {"encode": [item, ...], "decode": [hex, ...]} where an item is a hex string (bytes)
or a list of items. Output: {"encode": [hex, ...], "decode": [item or null, ...]}; null
means pyrlp (strict mode) refused the input.
"""
import json
import sys

import rlp


def to_python(item):
    if isinstance(item, list):
        return [to_python(x) for x in item]
    return bytes.fromhex(item)


def to_json(item):
    if isinstance(item, list):
        return [to_json(x) for x in item]
    return bytes(item).hex()


def main() -> None:
    request = json.load(sys.stdin)
    out = {"encode": [], "decode": []}
    for item in request.get("encode", []):
        out["encode"].append(rlp.encode(to_python(item)).hex())
    for text in request.get("decode", []):
        try:
            out["decode"].append(to_json(rlp.decode(bytes.fromhex(text), strict=True)))
        except rlp.exceptions.DecodingError:
            out["decode"].append(None)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
