"""Runs the test peers beside it (`PythonPeer` in the Swift tests) for one test process, one
script at a time, each as if it were its own program: the script is run as `__main__` with the
request as its standard input, and what it writes to standard output and standard error is sent
back. The libraries a script imports (eth-account alone takes about 1.5 s) stay imported for the
next call, so a cross-check costs what it computes rather than an interpreter's start.

Protocol: one JSON object per line on standard input, {"script": name in this folder,
"input": base64}; one per line on standard output, {"status": the exit status the script would
have had, "output": base64 of its standard output, "errors": its standard error}. The host ends
at the end of its input. Anything a script's child process writes to the host's own standard
output goes to its standard error instead, so it cannot be taken for an answer.
"""
import base64
import io
import json
import os
import runpy
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))

# The protocol's own streams, and descriptors 0 and 1 turned away from them: a child process
# that inherits them reads nothing and writes to standard error.
requests = os.fdopen(os.dup(0), "rb")
answers = os.fdopen(os.dup(1), "wb")
devnull = os.open(os.devnull, os.O_RDONLY)
os.dup2(devnull, 0)
os.dup2(2, 1)


def run(script: str, data: bytes) -> dict:
    if os.path.basename(script) != script or not script.endswith(".py"):
        return {"status": 2, "output": "", "errors": f"not a script of Tests/python: {script!r}"}
    out, err = io.BytesIO(), io.BytesIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    stderr = io.TextIOWrapper(err, encoding="utf-8", write_through=True)
    saved = (sys.stdin, sys.stdout, sys.stderr, sys.argv)
    sys.stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    sys.stdout, sys.stderr = stdout, stderr
    sys.argv = [os.path.join(HERE, script)]
    status = 0
    try:
        runpy.run_path(os.path.join(HERE, script), run_name="__main__")
    except SystemExit as exit:
        if isinstance(exit.code, int):
            status = exit.code
        elif exit.code is not None:
            print(exit.code, file=sys.stderr)
            status = 1
    except BaseException:
        traceback.print_exc()
        status = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.stdin, sys.stdout, sys.stderr, sys.argv = saved
    return {"status": status, "output": base64.b64encode(out.getvalue()).decode(),
            "errors": err.getvalue().decode("utf-8", "replace")}


for line in requests:
    request = json.loads(line)
    answer = run(request["script"], base64.b64decode(request["input"]))
    answers.write(json.dumps(answer).encode() + b"\n")
    answers.flush()
