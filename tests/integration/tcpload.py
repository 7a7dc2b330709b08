"""Socket loads for the summary/advise integration tests (stdlib only).

Each helper makes real kernel sockets on loopback inside the test's
network namespace; nothing is faked.
"""
import selectors
import socket
import threading
import time


def set_sysctl(name, value):
    """Write a namespace-local sysctl (the test runs in its own netns)."""
    with open("/proc/sys/" + name.replace(".", "/"), "w") as f:
        f.write(str(value))


def get_sysctl(name):
    with open("/proc/sys/" + name.replace(".", "/")) as f:
        return f.read().strip()


def sockstat_tw():
    """TIME_WAIT as the kernel counts it in this namespace."""
    with open("/proc/net/sockstat") as f:
        for line in f:
            if line.startswith("TCP:"):
                w = line.split()
                return int(w[w.index("tw") + 1])
    return 0


def wait_time_wait(count, timeout=10.0):
    """Wait until the closing handshakes are done: TIME_WAIT >= count."""
    end = time.monotonic() + timeout
    while sockstat_tw() < count and time.monotonic() < end:
        time.sleep(0.05)
    return sockstat_tw()


def closing_in_flight():
    """Sockets between close() and TIME_WAIT or gone: FIN_WAIT1/2,
    CLOSE_WAIT, LAST_ACK, CLOSING (from /proc, not from sockscope)."""
    n = 0
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(path) as f:
            next(f)
            n += sum(1 for line in f
                     if line.split()[3] in ("04", "05", "08", "09", "0B"))
    return n


def wait_settled(timeout=10.0):
    """Wait until every closing handshake has ended."""
    end = time.monotonic() + timeout
    while closing_in_flight() and time.monotonic() < end:
        time.sleep(0.05)
    return closing_in_flight() == 0


class ClosingServer:
    """Accepts on host:port and closes each connection once the peer has:
    the client closes first, so TIME_WAIT lands on the client side."""

    def __init__(self, port, host="127.0.0.1"):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(4096)
        self.sock.setblocking(False)
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.sock, selectors.EVENT_READ)
        self.stop = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while not self.stop:
            for key, _ in self.sel.select(timeout=0.1):
                if key.fileobj is self.sock:
                    try:
                        conn, _ = self.sock.accept()
                    except BlockingIOError:
                        continue
                    conn.setblocking(False)
                    self.sel.register(conn, selectors.EVENT_READ)
                    continue
                try:
                    data = key.fileobj.recv(4096)
                except (BlockingIOError, ConnectionError):
                    data = b""
                if not data:
                    self.sel.unregister(key.fileobj)
                    key.fileobj.close()

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


def client_close_first(port, count, host="127.0.0.1"):
    """count connections to host:port, each closed by the client first.
    Returns how many connected."""
    done = 0
    for _ in range(count):
        c = socket.socket()
        try:
            c.connect((host, port))
            done += 1
        except OSError:
            pass
        finally:
            c.close()
    return done


class Churn:
    """Keeps opening and closing client-first connections in the
    background (to make counters rise between two samples)."""

    def __init__(self, port, host="127.0.0.1"):
        self.stop = False
        self.thread = threading.Thread(
            target=self._loop, args=(port, host), daemon=True)
        self.thread.start()

    def _loop(self, port, host):
        while not self.stop:
            client_close_first(port, 20, host)

    def close(self):
        self.stop = True
        self.thread.join()
