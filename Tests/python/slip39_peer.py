"""Independent SLIP-39 for the Swift cross-checks (python-shamir-mnemonic, the reference library).

Input (stdin JSON):
  {"combine": [{"mnemonics": [str, ...], "passphrase": str}, ...],
   "split": [{"secret": hex, "passphrase": str, "group_threshold": int, "groups": [[t, n], ...],
              "extendable": bool, "iteration_exponent": int}, ...]}
Output: {"combine": [hex | {"error": str}, ...], "split": [[[mnemonic, ...], ...], ...]}
"""
import json
import sys

import shamir_mnemonic
from shamir_mnemonic import MnemonicError


def combine(item):
    try:
        secret = shamir_mnemonic.combine_mnemonics(item["mnemonics"], item["passphrase"].encode("ascii"))
    except MnemonicError as error:
        return {"error": str(error)}
    return secret.hex()


def split(item):
    return shamir_mnemonic.generate_mnemonics(
        item["group_threshold"],
        [tuple(group) for group in item["groups"]],
        bytes.fromhex(item["secret"]),
        item["passphrase"].encode("ascii"),
        extendable=item["extendable"],
        iteration_exponent=item["iteration_exponent"],
    )


def main() -> None:
    request = json.load(sys.stdin)
    json.dump({
        "combine": [combine(item) for item in request.get("combine", [])],
        "split": [split(item) for item in request.get("split", [])],
    }, sys.stdout)


if __name__ == "__main__":
    main()
