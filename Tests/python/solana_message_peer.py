"""Solana transaction messages built by solders (PyPI), the Rust SDK's own serialisation, for the
Swift check that a raw-message request never signs a transaction (SolanaMessageShape).

Input (stdin JSON): {"lamports": int, "memo": str}
Output: {"legacy": [hex], "v0": [hex]}: the message bytes an Ed25519 key signs to authorise each
transaction — a system transfer, a transfer with a memo and compute budget, and (v0) the same
through an address lookup table.
"""
import json
import sys

from solders.address_lookup_table_account import AddressLookupTableAccount
from solders.compute_budget import set_compute_unit_price
from solders.hash import Hash
from solders.instruction import AccountMeta, Instruction
from solders.message import Message, MessageV0, to_bytes_versioned
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer

MEMO_PROGRAM = Pubkey.from_string("MemoSq4gqABAXKb96qnH8TzNwGkdfF9qERmvTyvEzTx")


def main():
    request = json.load(sys.stdin)
    payer = Pubkey.from_bytes(bytes(range(1, 33)))
    destination = Pubkey.from_bytes(bytes(range(40, 72)))
    blockhash = Hash(bytes(range(100, 132)))
    pay = transfer(TransferParams(from_pubkey=payer, to_pubkey=destination, lamports=request["lamports"]))
    memo = Instruction(MEMO_PROGRAM, request["memo"].encode(), [AccountMeta(payer, True, True)])
    batches = [[pay], [set_compute_unit_price(1000), pay, memo]]
    legacy = [bytes(Message.new_with_blockhash(batch, payer, blockhash)).hex() for batch in batches]
    table = AddressLookupTableAccount(key=Pubkey.from_bytes(bytes(range(80, 112))), addresses=[destination, MEMO_PROGRAM])
    v0 = [to_bytes_versioned(MessageV0.try_compile(payer, batch, [table], blockhash)).hex() for batch in batches]
    json.dump({"legacy": legacy, "v0": v0}, sys.stdout)


if __name__ == "__main__":
    main()
