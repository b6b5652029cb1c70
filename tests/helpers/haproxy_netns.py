"""Run deploy/haproxy/haproxy.cfg as it is, inside a network namespace of
its own (`unshare --net`, so its ports and 127.0.0.11 clash with nothing):
a stand-in for Docker's DNS on 127.0.0.11:53 names two app-pool instances,
127.0.0.2 and 127.0.0.3, small HTTP servers on port 5000 whose /health
answers 200 or 503 as told. Prints what HAProxy did as one JSON line.

Usage: unshare --user --map-root-user --net python tests/haproxy_netns.py CONFIG
"""
import json
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

POOL_NAME = b"app-pool"
INSTANCES = ("127.0.0.2", "127.0.0.3")
A_RECORD = 1


def answer_dns(server):
    """A records for app-pool, nothing for other names or types (Docker's
    embedded DNS answers service names the same way)."""
    while True:
        query, client = server.recvfrom(512)
        labels, offset = [], 12
        while query[offset]:
            labels.append(query[offset + 1:offset + 1 + query[offset]])
            offset += 1 + query[offset]
        question_end = offset + 5
        qtype = struct.unpack("!H", query[offset + 1:offset + 3])[0]
        addresses = INSTANCES if b".".join(labels) == POOL_NAME and qtype == A_RECORD else ()
        header = query[:2] + struct.pack("!HHHHH", 0x8180, 1, len(addresses), 0, 0)
        records = b"".join(
            struct.pack("!HHHIH", 0xC00C, A_RECORD, 1, 5, 4) + socket.inet_aton(address) for address in addresses
        )
        server.sendto(header + query[12:question_end] + records, client)


class Instance(BaseHTTPRequestHandler):
    def do_GET(self):
        instance = self.server.instance
        if self.path == "/health":
            code = 200 if instance["healthy"] else 503
            body = {"status": "read-only" if instance["healthy"] else "degraded"}
        else:
            instance["forwarded_for"].append(self.headers.get("X-Forwarded-For"))
            code, body = 200, {"instance": instance["address"]}
        payload = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def start_instance(address, healthy):
    server = ThreadingHTTPServer((address, 5000), Instance)
    server.instance = {"address": address, "healthy": healthy, "forwarded_for": []}
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.instance


def get(url):
    """(status, JSON body or None); never raises for an HTTP status."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            is_json = response.headers.get_content_type() == "application/json"
            return response.status, json.loads(response.read()) if is_json else None
    except urllib.error.HTTPError as error:
        return error.code, None
    except OSError:
        return None, None


def wait_for(predicate, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def pool_answers(count=6):
    return [get("http://127.0.0.1:8080/")[1] for _ in range(count)]


def main(config):
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dns.bind(("127.0.0.11", 53))
    threading.Thread(target=answer_dns, args=(dns,), daemon=True).start()
    healthy, failing = start_instance(INSTANCES[0], True), start_instance(INSTANCES[1], False)
    haproxy = subprocess.Popen(["haproxy", "-db", "-f", config], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    report = {}
    try:
        only_healthy = [{"instance": healthy["address"]}] * 6
        report["monitor_up"] = wait_for(lambda: get("http://127.0.0.1:8404/haproxy-health")[0] == 200)
        report["only_the_healthy_instance_served"] = wait_for(lambda: pool_answers() == only_healthy)
        failing["healthy"] = True
        report["both_served_once_both_are_healthy"] = wait_for(
            lambda: {answer["instance"] for answer in pool_answers(8) if answer} == set(INSTANCES)
        )
        healthy["healthy"] = failing["healthy"] = False
        report["monitor_down_with_no_instance"] = wait_for(
            lambda: get("http://127.0.0.1:8404/haproxy-health")[0] == 503
        )
        report["pool_status_with_no_instance"] = get("http://127.0.0.1:8080/")[0]
        report["forwarded_for"] = sorted(set(healthy["forwarded_for"] + failing["forwarded_for"]) - {None})
    finally:
        haproxy.terminate()
        report["haproxy_log"] = haproxy.communicate(timeout=10)[1].decode(errors="replace")[-2000:]
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1])
