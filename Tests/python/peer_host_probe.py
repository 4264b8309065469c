"""A peer for the tests of `PythonPeer` itself (`PythonPeerTests`).

Input: {"echo": text, "child": text or null, "fail": text or null, "exit": int or null}
Output: {"echo": the same text, "argv0": the script's name as it sees it}; before answering, a
child process (`echo`) prints `child` to the standard output it inherits; `fail` raises an
error with that message; `exit` ends the script with that status.
"""
import json
import os
import subprocess
import sys

request = json.load(sys.stdin)
if request.get("child") is not None:
    subprocess.run(["echo", request["child"]], check=True)
if request.get("fail") is not None:
    raise RuntimeError(request["fail"])
if request.get("exit") is not None:
    sys.exit(request["exit"])
print(json.dumps({"echo": request["echo"], "argv0": os.path.basename(sys.argv[0])}))
