"""Polls a SKU's reserved units every 20 ms until it reaches the stock (or 120 s pass) and
prints how long the stock took to sell out, from the first reservation seen."""
import json
import sys
import time
import urllib.request

base, key, sku, stock = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
request = urllib.request.Request(f"{base}/v1/variants?sku={sku}",
                                 headers={"Authorization": f"Bearer {key}"})
first = None
deadline = time.monotonic() + 120
while time.monotonic() < deadline:
    with urllib.request.urlopen(request) as answer:
        reserved = json.load(answer)["data"][0]["stock"][0]["reserved"]
    now = time.monotonic()
    if reserved and first is None:
        first = now
    if reserved >= stock:
        took = now - first
        if took == 0:  # sold out between two polls: too few units to time
            print(f"sold out {stock} units within one 20 ms poll")
        else:
            print(f"sold out {stock} units in {took:.2f}s ({stock / took:.0f} durable orders/s)")
        sys.exit(0)
    time.sleep(0.02)
print(f"did not sell out: {reserved} of {stock} reserved after 120 s")
