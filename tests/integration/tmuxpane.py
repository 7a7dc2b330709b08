"""A tmux pane the interactive top tests drive (test_top*.py).

Each test runs its own tmux server (a socket of its own, so parallel runs
and a user's tmux stay apart) with one session, "t". The screen is read
only once two captures 50 ms apart agree: a capture taken in the middle
of a repaint would hold half the old frame and half the new.
"""
import subprocess
import time

import netns


class Pane:
    def __init__(self, sock):
        self.base = ["tmux", "-S", sock]

    def run(self, *args, check=True):
        return subprocess.run(self.base + list(args), capture_output=True,
                              text=True, check=check)

    def screen(self):
        text = self.run("capture-pane", "-p", "-t", "t").stdout
        for _ in range(20):
            time.sleep(0.05)
            again = self.run("capture-pane", "-p", "-t", "t").stdout
            if again == text:
                break
            text = again
        return text

    def wait_for(self, pred, what, timeout):
        """Poll the screen until pred(text) holds (a failed check if it
        never does within timeout seconds); the last text either way."""
        end = time.time() + timeout
        text = self.screen()
        while not pred(text) and time.time() < end:
            time.sleep(0.1)
            text = self.screen()
        netns.check(pred(text), f"{what}; screen:\n{text}")
        return text

    def keys(self, *k):
        self.run("send-keys", "-t", "t", *k)

    def literal(self, s):
        self.run("send-keys", "-t", "t", "-l", s)
