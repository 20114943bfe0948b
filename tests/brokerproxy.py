"""A TCP proxy in front of RabbitMQ, run by the end-to-end tests as a process of its own.

The platform the tests start reaches the broker only through it, so a test can take "the broker"
away by cutting the proxy: the shared broker (and a `make run` beside the tests) never notices.
A process, not green threads in the eventlet-patched pytest process: the test blocking on a
socket or a subprocess must not stall every byte of the platform's RPC traffic.

    python tests/brokerproxy.py TARGET_HOST TARGET_PORT

Prints `listening PORT` when ready. SIGUSR1: an outage, as when the broker stops: every
connection is cut and new ones are refused; prints `down N`, N the connections it cut. SIGUSR2:
the broker is back, on the same port; prints `up`. SIGTERM: exits.
"""
import asyncio
import signal
import socket
import sys


class Side(asyncio.Protocol):
    """One end of a proxied connection: what it reads, its peer writes."""

    def __init__(self, proxy, peer=None):
        self.proxy, self.peer, self.transport, self.early = proxy, peer, None, []
        self.client = peer is None

    def connection_made(self, transport):
        self.transport = transport
        # AMQP is many small frames, each waited for (RPC round trips): never hold one back
        transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.proxy.sides.add(self)
        if self.client:  # its broker connection is still to be made
            asyncio.ensure_future(self.proxy.upstream(self))

    def data_received(self, data):
        if self.peer and self.peer.transport:
            self.peer.transport.write(data)
        else:  # the client spoke before the broker connection was made
            self.early.append(data)

    # backpressure: a peer that cannot keep up stops us reading, rather than buffering without end
    def pause_writing(self):
        if self.peer and self.peer.transport:
            self.peer.transport.pause_reading()

    def resume_writing(self):
        if self.peer and self.peer.transport:
            self.peer.transport.resume_reading()

    def connection_lost(self, exc):
        self.proxy.sides.discard(self)
        if self.peer and self.peer.transport:
            self.peer.transport.close()  # after what is still buffered for it


class Proxy:
    def __init__(self, target):
        self.target, self.sides, self.server, self.port = target, set(), None, 0

    async def upstream(self, client):
        try:
            _, broker = await asyncio.get_running_loop().create_connection(
                lambda: Side(self, peer=client), *self.target)
        except OSError:
            client.transport.abort()
            return
        if client.transport.is_closing():  # cut while we were connecting
            broker.transport.abort()
            return
        client.peer = broker
        for data in client.early:
            broker.transport.write(data)
        client.early = None

    async def listen(self):
        # a fixed port after the first start: the platform's processes reconnect to the URI they have
        self.server = await asyncio.get_running_loop().create_server(
            lambda: Side(self), "127.0.0.1", self.port, reuse_address=True, backlog=512)
        self.port = self.server.sockets[0].getsockname()[1]

    def down(self):
        self.server.close()  # refused from now on, as a stopped broker's port is
        cut = sum(side.client for side in self.sides)
        for side in list(self.sides):
            side.transport.abort()  # no goodbye: the peers learn it from the socket, as in a crash
        self.sides.clear()
        say(f"down {cut}")

    async def up(self):
        if not self.server.is_serving():
            await self.listen()
        say("up")


def say(line):
    print(line, flush=True)


async def main(host, port):
    proxy = Proxy((host, port))
    await proxy.listen()
    loop, done = asyncio.get_running_loop(), asyncio.Event()
    loop.add_signal_handler(signal.SIGUSR1, proxy.down)
    loop.add_signal_handler(signal.SIGUSR2, lambda: asyncio.ensure_future(proxy.up()))
    loop.add_signal_handler(signal.SIGTERM, done.set)
    say(f"listening {proxy.port}")
    await done.wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
