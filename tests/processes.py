"""Other OS processes in a test (servers writing at the same moment as each other): start, wait until ready,
and never leave one running."""

import contextlib
import selectors


@contextlib.contextmanager
def stopped_at_the_end(processes):
    """Kill whatever is still running when the block ends (a failed assertion), before the database is emptied."""
    try:
        yield processes
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def ready(process, timeout=60) -> bool:
    """The process printed "ready" within `timeout` seconds."""
    with selectors.DefaultSelector() as waiting:
        waiting.register(process.stdout, selectors.EVENT_READ)
        return bool(waiting.select(timeout)) and process.stdout.readline() == "ready\n"
