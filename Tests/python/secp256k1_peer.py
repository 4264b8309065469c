"""Independent secp256k1 peer for the Swift tests: coincurve (PyPI) computes what the Swift
side computed, and BIP-340 signatures are verified by coincurve's own verifier.

Input (JSON on stdin):
  {"scalarCases": [{"a": hex32, "b": hex32}], "schnorr": [{"key": hex32, "message": hex, "signature": hex64}]}
Output (JSON on stdout):
  {"scalarCases": [{"aG": hex33, "bTimesAG": hex33, "sum": hex33 | null}], "schnorr": [bool]}
"""
import json
import sys

from coincurve import PrivateKey, PublicKey, PublicKeyXOnly


def main() -> None:
    request = json.load(sys.stdin)
    out_cases = []
    for case in request["scalarCases"]:
        a = bytes.fromhex(case["a"])
        b = bytes.fromhex(case["b"])
        a_point = PrivateKey(a).public_key
        b_point = PrivateKey(b).public_key
        try:
            total = PublicKey.combine_keys([a_point, b_point]).format(compressed=True).hex()
        except ValueError:
            total = None  # the point at infinity
        out_cases.append({
            "aG": a_point.format(compressed=True).hex(),
            "bTimesAG": a_point.multiply(b).format(compressed=True).hex(),
            "sum": total,
        })
    verdicts = []
    for item in request["schnorr"]:
        key = PublicKeyXOnly(bytes.fromhex(item["key"]))
        verdicts.append(key.verify(bytes.fromhex(item["signature"]), bytes.fromhex(item["message"])))
    json.dump({"scalarCases": out_cases, "schnorr": verdicts}, sys.stdout)


if __name__ == "__main__":
    main()
