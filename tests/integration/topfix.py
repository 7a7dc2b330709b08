"""What the two top tests share: their sockets and how a screen (or a
batch refresh) is read back."""
import re
import socket
import time


def make_sockets():
    """LISTEN 1, ESTABLISHED 2 (one with 1000 unread bytes), TIME_WAIT 1."""
    lst = socket.socket()
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(("127.0.0.1", 8080))
    lst.listen(16)
    cli = socket.create_connection(("127.0.0.1", 8080))
    srv, _ = lst.accept()
    cli.sendall(b"x" * 1000)
    c2 = socket.create_connection(("127.0.0.1", 8080))
    s2, _ = lst.accept()
    c2.close()  # the client closes first: its side ends in TIME_WAIT
    time.sleep(0.05)
    s2.close()
    time.sleep(0.1)
    return [lst, cli, srv]


def table_rows(text):
    """The rows under the column titles, up to the first blank line."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(("STATE", "GROUP", "NETID")):
            rows = []
            for row in lines[i + 1:]:
                if not row.strip():
                    break
                rows.append(row)
            return lines[i], rows
    return "", []


def meter(text, name):
    m = re.search(rf"\b{name}\s+(\d+)\s", text)
    return int(m.group(1)) if m else None
