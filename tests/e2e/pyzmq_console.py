"""A console client in another language, as docs/security.md shows it: pyzmq (Debian's
python3-zmq) with the key files bank-keys made. Sends one request to node N as the owner of
account N and prints the reply.

    python3 pyzmq_console.py KEYS_DIR NODE CONSOLE_PORT REQUEST_JSON
"""
import json
import sys

import zmq  # Debian: python3-zmq (scripts/deps.sh installs it)

keys, node, port, request = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
client = json.load(open(f"{keys}/client-{node}.secret"))
public = json.load(open(f"{keys}/client-{node}.public"))
server = json.load(open(f"{keys}/node-{node}.public"))
s = zmq.Context().socket(zmq.REQ)
s.curve_secretkey = client["curve"].encode()
s.curve_publickey = public["curve"].encode()
s.curve_serverkey = server["curve"].encode()
s.setsockopt(zmq.RCVTIMEO, 10000)
s.setsockopt(zmq.LINGER, 0)
s.connect(f"tcp://127.0.0.1:{port}")
s.send_json(json.loads(request))
print(json.dumps(s.recv_json()))
