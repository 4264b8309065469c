"""Runs `custos` as a person at a terminal would, for the passphrase prompt's tests.

Input: {"binary": path, "args": [...], "lines": [text, ...], "mode": "pty" | "pipe", "cwd": path}
  pty:  the command runs in a new session whose controlling terminal is a pseudo-terminal
        (standard input, output and error on it); each time it prints a prompt ending in ": "
        the next line is typed. Everything the terminal shows is returned, so a typed
        passphrase that was echoed would be in it.
  pipe: the lines are written to a pipe as standard input, in a new session without a
        controlling terminal.
Output: {"status": exit status, "output": what the terminal showed (pty) or standard output
         (pipe), "stderr": standard error (pipe; empty for pty), "echo": whether the terminal
         had echo on at any prompt}
"""
import json
import os
import pty
import select
import subprocess
import sys
import termios
import time


def run_pty(binary, args, lines, cwd):
    pid, master = pty.fork()
    if pid == 0:
        os.chdir(cwd)
        os.execv(binary, [binary] + args)
    output = b""
    pending = list(lines)
    echo = False
    answered_at = 0
    deadline = time.time() + 120
    while time.time() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        if pending and output.rstrip(b" ").endswith(b":") and len(output) > answered_at:
            # The prompt is printed after echo is turned off; the check reads the setting the
            # person would type under.
            time.sleep(0.1)
            echo = echo or bool(termios.tcgetattr(master)[3] & termios.ECHO)
            os.write(master, pending.pop(0).encode() + b"\n")
            answered_at = len(output) + 1
    _, status = os.waitpid(pid, 0)
    return {"status": os.waitstatus_to_exitcode(status), "output": output.decode("utf-8", "replace"), "stderr": "", "echo": echo}


def run_pipe(binary, args, lines, cwd):
    done = subprocess.run([binary] + args, input="".join(line + "\n" for line in lines).encode(), capture_output=True,
                          cwd=cwd, start_new_session=True, timeout=120)
    return {"status": done.returncode, "output": done.stdout.decode("utf-8", "replace"),
            "stderr": done.stderr.decode("utf-8", "replace"), "echo": False}


def main():
    request = json.load(sys.stdin)
    run = run_pty if request["mode"] == "pty" else run_pipe
    json.dump(run(request["binary"], request["args"], request["lines"], request.get("cwd", ".")), sys.stdout)


if __name__ == "__main__":
    main()
