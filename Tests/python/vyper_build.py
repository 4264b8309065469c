"""Compiles a Vyper contract of Tests/python/contracts with the pinned compiler (vyper==0.4.3,
scripts/requirements-vyper.txt, installed in .venv-vyper by scripts/install-deps.sh) for the local chain's EVM (py-evm's Prague: --evm-version prague),
twice, each in its own compiler process, to show the build is deterministic.

Input: {"contract": "Owned.vy"}
Output: {"initCode": hex, "runtimeCode": hex, "runtimeCodeHash": hex (Keccak-256), "deterministic": bool,
         "version": str}
"""
import json
import os
import subprocess
import sys

from eth_utils import keccak

EVM_VERSION = "prague"


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VYPER = os.path.join(ROOT, ".venv-vyper", "bin", "vyper")


def build(path: str) -> list:
    vyper = VYPER
    out = subprocess.run([vyper, "--evm-version", EVM_VERSION, "-f", "bytecode,bytecode_runtime", path],
                         check=True, capture_output=True, text=True).stdout
    return [line.strip() for line in out.splitlines() if line.strip()]


def main() -> None:
    request = json.load(sys.stdin)
    name = os.path.basename(request["contract"])
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "contracts", name)
    first, second = build(path), build(path)
    init_code, runtime = first
    version = subprocess.run([VYPER, "--version"],
                             check=True, capture_output=True, text=True).stdout.strip()
    json.dump({
        "initCode": init_code.removeprefix("0x"),
        "runtimeCode": runtime.removeprefix("0x"),
        "runtimeCodeHash": keccak(bytes.fromhex(runtime.removeprefix("0x"))).hex(),
        "deterministic": first == second,
        "version": version,
    }, sys.stdout)


if __name__ == "__main__":
    main()
