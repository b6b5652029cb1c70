"""Load clients as threads: the loop each one runs is the subclass's
`_client`; the group starts on entering a `with` and is stopped and joined
on leaving it."""
import threading


class ClientThreads:
    join_timeout = 30

    def start_clients(self, argument_lists):
        """One daemon thread per argument tuple, each running `_client(*args)`."""
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._client, args=args, daemon=True) for args in argument_lists]

    def _client(self, *args):
        raise NotImplementedError

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=self.join_timeout)
