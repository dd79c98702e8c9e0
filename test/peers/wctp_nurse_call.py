#!/usr/bin/env python3
"""An independent WCTP client (Python standard library only): a nurse-call system.

Runs its own status listener (http.server) on 127.0.0.1, POSTs one wctp-SubmitRequest to the
gateway with sendResponsesToID pointing at that listener, prints the gateway's confirmation, then
prints every wctp-StatusInfo / wctp-MessageReply the gateway pushes, answering each with a
wctp-Confirmation. Exits 0 once it has seen a DELIVERED status and a reply, 1 on timeout.

usage: wctp_nurse_call.py GATEWAY_URL SENDER_ID SECURITY_CODE RECIPIENT_ID TEXT [TIMEOUT_SECONDS]
"""
import sys
import threading
import time
import urllib.request
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, HTTPServer

CONFIRMATION = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE wctp-Operation SYSTEM "http://dtd.wctp.org/wctp-dtd-v1r3.dtd">
<wctp-Operation wctpVersion="wctp-dtd-v1r3"><wctp-Confirmation><wctp-Success successCode="200" successText="Success"/></wctp-Confirmation></wctp-Operation>
"""

seen = {"delivered": False, "reply": False}
done = threading.Event()


class StatusListener(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        root = ET.fromstring(body)
        op = root[0]
        header = op.find("wctp-ResponseHeader")
        about = header.get("responseToMessageID") if header is not None else "?"
        if op.tag == "wctp-StatusInfo":
            note = op.find("wctp-Notification")
            kind = note.get("type") if note is not None else "FAILURE"
            print(f"PUSH StatusInfo {kind} for {about}", flush=True)
            if kind == "DELIVERED":
                seen["delivered"] = True
        elif op.tag == "wctp-MessageReply":
            text = "".join(op.find("wctp-Payload").itertext()).strip()
            print(f"PUSH MessageReply {text} mcr={op.get('MCRMessageReply')} for {about}", flush=True)
            seen["reply"] = True
        else:
            print(f"PUSH {op.tag}", flush=True)
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(CONFIRMATION)))
        self.end_headers()
        self.wfile.write(CONFIRMATION)
        if seen["delivered"] and seen["reply"]:
            done.set()

    def log_message(self, *args):
        pass


def main():
    url, sender, code, recipient, text = sys.argv[1:6]
    timeout = float(sys.argv[6]) if len(sys.argv) > 6 else 20
    server = HTTPServer(("127.0.0.1", 0), StatusListener)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    status_url = f"http://127.0.0.1:{server.server_port}/status"
    message_id = f"PY-{int(time.time() * 1000)}"
    request = f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE wctp-Operation SYSTEM "http://dtd.wctp.org/wctp-dtd-v1r3.dtd">
<wctp-Operation wctpVersion="wctp-dtd-v1r3">
  <wctp-SubmitRequest>
    <wctp-SubmitHeader>
      <wctp-Originator senderID="{sender}" securityCode="{code}"/>
      <wctp-MessageControl messageID="{message_id}" sendResponsesToID="{status_url}"
          allowResponse="true" notifyWhenDelivered="true" deliveryPriority="HIGH"/>
      <wctp-Recipient recipientID="{recipient}"/>
    </wctp-SubmitHeader>
    <wctp-Payload>
      <wctp-MCR><wctp-MessageText>{text}</wctp-MessageText><wctp-Choice>Accept</wctp-Choice><wctp-Choice>Reject</wctp-Choice></wctp-MCR>
    </wctp-Payload>
  </wctp-SubmitRequest>
</wctp-Operation>""".encode()
    req = urllib.request.Request(url, data=request, headers={"Content-Type": "text/xml"}, method="POST")
    with urllib.request.urlopen(req, timeout=10) as res:
        answer = ET.fromstring(res.read())
    result = answer[0][0]
    code_attr = result.get("successCode") or result.get("errorCode")
    print(f"CONFIRMED {result.tag} {code_attr} {message_id}", flush=True)
    if result.tag != "wctp-Success":
        return 1
    ok = done.wait(timeout)
    server.shutdown()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
