"""Two small contracts whose admin events the monitoring test watches, assembled by hand with
evm_token.py's assembler: their deployment transactions' init codes.

Input: {"kind": "ownable" | "proxy"}
Output: {"initCode": hex}

ownable: the deployer is the owner (slot 0). `transferOwnership(address)` from the owner emits
OwnershipTransferred(owner, new) and makes `new` the owner; from anyone else, or any other call,
it reverts.
proxy: an ERC-1967 proxy's admin functions only: the deployer is the admin (the ERC-1967 admin
slot). `upgradeTo(address)` from the admin stores the implementation in the ERC-1967
implementation slot and emits Upgraded(implementation); anything else reverts.
"""
import json
import sys

from eth_utils import keccak

from evm_token import OPS, assemble, deployment

OPS["LOG2"] = 0xA2


def slot(name: str) -> int:
    return int.from_bytes(keccak(text=name), "big") - 1


def topic(signature: str) -> int:
    return int.from_bytes(keccak(text=signature), "big")


def runtime(kind: str) -> bytes:
    if kind == "ownable":
        selector, owner = 0xF2FDE38B, 0
        body = [
            # LOG3(0, 0, OwnershipTransferred, owner, new); owner = new
            4, "CALLDATALOAD", "DUP1", owner, "SLOAD", topic("OwnershipTransferred(address,address)"), 0, 0, "LOG3",
            owner, "SSTORE", "STOP",
        ]
    else:
        selector, owner = 0x3659CFE6, slot("eip1967.proxy.admin")
        body = [
            # implementation = new; LOG2(0, 0, Upgraded, new)
            4, "CALLDATALOAD", "DUP1", slot("eip1967.proxy.implementation"), "SSTORE",
            topic("Upgraded(address)"), 0, 0, "LOG2", "STOP",
        ]
    return assemble([
        0, "CALLDATALOAD", 224, "SHR", selector, "EQ", ("ref", "call"), "JUMPI",
        ("label", "refuse"), 0, 0, "REVERT",
        ("label", "call"),
        owner, "SLOAD", "CALLER", "EQ", "ISZERO", ("ref", "refuse"), "JUMPI",
    ] + body)


def init_code(kind: str) -> bytes:
    # The deployer becomes the owner, or the ERC-1967 admin.
    owner = 0 if kind == "ownable" else slot("eip1967.proxy.admin")
    return deployment(["CALLER", owner, "SSTORE"], runtime(kind))


def main() -> None:
    request = json.load(sys.stdin)
    json.dump({"initCode": init_code(request["kind"]).hex()}, sys.stdout)


if __name__ == "__main__":
    main()
