"""Independent RFC 8785 canonicalization (the `rfc8785` package) for the Swift cross-checks.

Input: {"documents": [json text, ...], "doubles": [16 hex digits (IEEE 754 bits), ...]}
Output: {"documents": [canonical text or null if refused], "doubles": [canonical text, ...]}
All numbers are parsed as doubles, as RFC 8785 (I-JSON) defines them.
"""
import json
import struct
import sys

import rfc8785


def canonical(text):
    try:
        value = json.loads(text, parse_int=float)
        return rfc8785.dumps(value).decode("utf-8")
    except Exception:
        return None


def main():
    request = json.load(sys.stdin)
    out = {"documents": [canonical(t) for t in request.get("documents", [])],
           "doubles": [rfc8785.dumps(struct.unpack(">d", bytes.fromhex(h))[0]).decode()
                       for h in request.get("doubles", [])]}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
