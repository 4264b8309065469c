"""A flaky network between the signer nodes and the gateway, for the soak test.

Listens on 127.0.0.1 (an ephemeral port, written to --port-file) and forwards every
connection to the gateway's port as read from --upstream-port-file at the time the connection
is opened (the gateway may be restarted on another port). Faults, drawn from a seeded
generator:
  - every chunk, in both directions, waits a random delay (order kept per direction);
  - a connection is cut at random (both sides closed) with --cut-probability per chunk;
  - from time to time, every open connection is cut and new ones are refused for a while
    (a partition).
It also reads, without changing them, the HTTP/1.1 requests the nodes send, and appends the
body of every `POST /v1/votes` and `POST /v1/round-changes` to --capture as a JSON line
{"path": ..., "body": base64}: what each node really sent, for the test to check that no node
signed two blocks at one height and round. Counts of faults go to --stats (JSON), every half second and on SIGTERM.
"""
import argparse
import asyncio
import base64
import json
import os
import random
import signal
import sys

CAPTURED_PATHS = ("/v1/votes", "/v1/round-changes")


class RequestTap:
    """Parses a stream of HTTP/1.1 requests (Content-Length or chunked bodies)."""

    def __init__(self, on_request, on_broken):
        self.buffer = bytearray()
        self.on_request = on_request
        self.on_broken = on_broken
        self.broken = False

    def feed(self, data):
        if self.broken:
            return
        self.buffer.extend(data)
        try:
            while self._parse_one():
                pass
        except ValueError:
            # Counted at once: a stream still open at the end must not go unreported.
            self.broken = True
            self.on_broken()

    def _parse_one(self):
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        head = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        method, path, _ = head[0].split(" ", 2)
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        start = end + 4
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = bytearray()
            at = start
            while True:
                line_end = self.buffer.find(b"\r\n", at)
                if line_end < 0:
                    return False
                size = int(bytes(self.buffer[at:line_end]).split(b";")[0], 16)
                chunk_start = line_end + 2
                if len(self.buffer) < chunk_start + size + 2:
                    return False
                body.extend(self.buffer[chunk_start:chunk_start + size])
                at = chunk_start + size + 2
                if size == 0:
                    # Trailers are not sent by the nodes' client; the final CRLF was consumed.
                    break
            consumed = at
        else:
            length = int(headers.get("content-length", "0"))
            if len(self.buffer) < start + length:
                return False
            body = self.buffer[start:start + length]
            consumed = start + length
        self.on_request(method, path.split("?")[0], bytes(body))
        del self.buffer[:consumed]
        return True


class Proxy:
    def __init__(self, args):
        self.args = args
        self.random = random.Random(args.seed)
        self.stats = {"connections": 0, "cuts": 0, "partitions": 0, "refused": 0, "delayed_chunks": 0,
                      "captured": 0, "unparsed_streams": 0}
        self.open = set()
        self.partitioned_until = 0.0
        self.capture = open(args.capture, "a", buffering=1)

    def upstream_port(self):
        with open(self.args.upstream_port_file) as f:
            return int(f.read().strip())

    def record(self, method, path, body):
        if method == "POST" and path in CAPTURED_PATHS:
            self.capture.write(json.dumps({"path": path, "body": base64.b64encode(body).decode()}) + "\n")
            self.stats["captured"] += 1

    async def pipe(self, reader, writer, tap, connection):
        loop = asyncio.get_running_loop()
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                if tap is not None:
                    tap.feed(data)
                delay = self.random.uniform(0, self.args.max_delay_ms) / 1000.0
                if delay > 0:
                    self.stats["delayed_chunks"] += 1
                    await asyncio.sleep(delay)
                if self.random.random() < self.args.cut_probability or loop.time() < self.partitioned_until:
                    self.stats["cuts"] += 1
                    break
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            for w in connection:
                try:
                    w.close()
                except Exception:
                    pass

    async def handle(self, client_reader, client_writer):
        loop = asyncio.get_running_loop()
        if loop.time() < self.partitioned_until:
            self.stats["refused"] += 1
            client_writer.close()
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port())
        except (OSError, ValueError):
            self.stats["refused"] += 1
            client_writer.close()
            return
        self.stats["connections"] += 1
        connection = (client_writer, upstream_writer)
        self.open.add(connection)
        tap = RequestTap(self.record, self.count_unparsed)
        try:
            await asyncio.gather(self.pipe(client_reader, upstream_writer, tap, connection),
                                 self.pipe(upstream_reader, client_writer, None, connection))
        finally:
            self.open.discard(connection)

    def count_unparsed(self):
        self.stats["unparsed_streams"] += 1

    async def partitions(self):
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.random.uniform(3, 8))
            if self.random.random() < 0.5:
                continue
            self.stats["partitions"] += 1
            self.partitioned_until = loop.time() + self.random.uniform(0.3, 1.5)
            for connection in list(self.open):
                for w in connection:
                    w.close()

    def write_stats(self):
        with open(self.args.stats + ".tmp", "w") as f:
            json.dump(self.stats, f)
        os.replace(self.args.stats + ".tmp", self.args.stats)

    async def keep_stats(self):
        # Also every half second: a signal may not reach the handler (a parent that spawns with
        # SIGTERM blocked), and then the proxy ends by SIGKILL.
        while True:
            self.write_stats()
            await asyncio.sleep(0.5)

    async def main(self):
        server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        with open(self.args.port_file + ".tmp", "w") as f:
            f.write(str(port))

        os.replace(self.args.port_file + ".tmp", self.args.port_file)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        loop.add_signal_handler(signal.SIGINT, stop.set)
        faults = asyncio.create_task(self.partitions())
        figures = asyncio.create_task(self.keep_stats())
        await stop.wait()
        faults.cancel()
        figures.cancel()
        # Figures first: closing a server waits for its connections (long polls among them).
        self.write_stats()
        server.close()
        for connection in list(self.open):
            for w in connection:
                w.close()
        self.write_stats()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--upstream-port-file", required=True)
    parser.add_argument("--capture", required=True)
    parser.add_argument("--stats", required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--max-delay-ms", type=float, default=20.0)
    parser.add_argument("--cut-probability", type=float, default=0.002)
    args = parser.parse_args()
    asyncio.run(Proxy(args).main())


if __name__ == "__main__":
    sys.exit(main())
