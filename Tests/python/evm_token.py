"""A minimal ERC-20 token for the local chain, assembled by hand (no compiler in the venv): its
deployment transaction's init code.

Input: {"holder": hex address (no 0x), "supply": str, "feeBasisPoints": int}
Output: {"initCode": hex}

The token keeps each balance in the storage slot named by the holder's address. `transfer(to,
amount)` reverts with Error("ERC20: transfer amount exceeds balance") when the sender holds
less; otherwise it takes `amount` from the sender, credits `to` with `amount` less a fee of
`feeBasisPoints` / 10,000 (burned: a fee-on-transfer token when it is not 0), emits
Transfer(sender, to, credited) and returns true. `balanceOf(address)` answers the balance; any
other call reverts without data. The constructor gives `holder` the whole supply.
"""
import json
import sys

from eth_utils import keccak

OPS = {
    "STOP": 0x00, "ADD": 0x01, "MUL": 0x02, "SUB": 0x03, "DIV": 0x04, "LT": 0x10, "GT": 0x11, "EQ": 0x14,
    "ISZERO": 0x15, "SHR": 0x1C, "CALLER": 0x33, "CALLDATALOAD": 0x35, "CALLDATASIZE": 0x36, "CODECOPY": 0x39,
    "MSTORE": 0x52, "SLOAD": 0x54, "SSTORE": 0x55, "JUMP": 0x56, "JUMPI": 0x57, "JUMPDEST": 0x5B, "POP": 0x50,
    "DUP1": 0x80, "DUP2": 0x81, "DUP3": 0x82, "DUP4": 0x83, "SWAP1": 0x90, "SWAP2": 0x91, "LOG3": 0xA3,
    "RETURN": 0xF3, "REVERT": 0xFD,
}


def assemble(program):
    """program: op names, ints (PUSH32 of at most 32 bytes, shortest), ("label", name) and
    ("ref", name) (PUSH2 of the label's offset)."""
    def size(item):
        if isinstance(item, str):
            return 1
        if isinstance(item, int):
            return 1 + max(1, (item.bit_length() + 7) // 8)
        return 1 if item[0] == "label" else 3

    labels, offset = {}, 0
    for item in program:
        if isinstance(item, tuple) and item[0] == "label":
            labels[item[1]] = offset
        offset += size(item)
    code = bytearray()
    for item in program:
        if isinstance(item, str):
            code.append(OPS[item])
        elif isinstance(item, int):
            n = max(1, (item.bit_length() + 7) // 8)
            code.append(0x5F + n)
            code += item.to_bytes(n, "big")
        elif item[0] == "label":
            code.append(OPS["JUMPDEST"])
        else:
            code.append(0x61)
            code += labels[item[1]].to_bytes(2, "big")
    return bytes(code)


def runtime(fee_bps: int) -> bytes:
    transfer_topic = int.from_bytes(keccak(text="Transfer(address,address,uint256)"), "big")
    reason = b"ERC20: transfer amount exceeds balance"
    error = bytes.fromhex("08c379a0") + (32).to_bytes(32, "big") + len(reason).to_bytes(32, "big") + reason.ljust(64, b"\0")
    revert_words = [int.from_bytes(error[i:i + 32].ljust(32, b"\0"), "big") for i in range(0, len(error), 32)]
    store_error = []
    for i, word in enumerate(revert_words):
        store_error += [word, i * 32, "MSTORE"]
    program = [
        0, "CALLDATALOAD", 224, "SHR",
        "DUP1", 0xA9059CBB, "EQ", ("ref", "transfer"), "JUMPI",
        "DUP1", 0x70A08231, "EQ", ("ref", "balance"), "JUMPI",
        0, 0, "REVERT",
        ("label", "balance"),
        4, "CALLDATALOAD", "SLOAD", 0, "MSTORE", 32, 0, "RETURN",
        ("label", "transfer"),
        # stack: amount, to
        4, "CALLDATALOAD", 36, "CALLDATALOAD",           # to amount
        "CALLER", "SLOAD",                                # to amount bal
        "DUP1", "DUP3", "GT", ("ref", "short"), "JUMPI",  # amount > bal → revert
        "DUP2", "SWAP1", "SUB", "CALLER", "SSTORE",       # to amount   (balance[caller] = bal - amount)
        "DUP1", fee_bps, "MUL", 10000, "SWAP1", "DIV",    # to amount fee
        "SWAP1", "SUB",                                   # to credited
        "DUP1", "DUP3", "SLOAD", "ADD", "DUP3", "SSTORE", # balance[to] += credited
        0, "MSTORE",                                      # to; mem[0] = credited
        "CALLER", transfer_topic, 32, 0, "LOG3",          # LOG3(0, 32, topic, caller, to)
        1, 0, "MSTORE", 32, 0, "RETURN",
        ("label", "short"),
    ] + store_error + [len(error), 0, "REVERT"]
    return assemble(program)


def deployment(constructor, body: bytes) -> bytes:
    """Init code that runs `constructor` (assembler items), then returns `body` as the runtime code."""
    # constructor; codecopy(0, offset, len); return(0, len)
    def prefix(offset):
        return assemble(constructor + [len(body), offset, 0, "CODECOPY", len(body), 0, "RETURN"])
    head = prefix(0)
    head = prefix(len(head))
    assert len(prefix(len(head))) == len(head)
    return head + body


def init_code(holder: bytes, supply: int, fee_bps: int) -> bytes:
    return deployment([supply, int.from_bytes(holder, "big"), "SSTORE"], runtime(fee_bps))


def main() -> None:
    request = json.load(sys.stdin)
    code = init_code(bytes.fromhex(request["holder"]), int(request["supply"]), int(request.get("feeBasisPoints", 0)))
    json.dump({"initCode": code.hex()}, sys.stdout)


if __name__ == "__main__":
    main()
