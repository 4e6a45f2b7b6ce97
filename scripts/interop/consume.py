"""Read a topic to its end with a confluent-kafka (librdkafka) consumer group.

Usage: consume.py BROKERS TOPIC GROUP_ID [TIMEOUT_SECONDS]

Prints one line per record, "partition<TAB>offset<TAB>value", in the order
the consumer delivers them (within a partition: offset order), and exits 0
once every assigned partition has reached its end (the offsets it had when
the group was joined), 1 on an error or time-out. Offsets are committed, as
a bot consuming signals would.

Run it with Debian's /usr/bin/python3: python3-confluent-kafka is installed
for that interpreter only.
"""

import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    brokers, topic, group = sys.argv[1:4]
    timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 60.0
    consumer = Consumer({
        "bootstrap.servers": brokers,
        "group.id": group,
        "auto.offset.reset": "earliest",
        "enable.partition.eof": True,
        "enable.auto.commit": True,
        "client.id": "candlewick-interop-python",
    })
    assigned = set()
    at_eof = set()

    def on_assign(c, partitions):
        for p in partitions:
            assigned.add(p.partition)

    consumer.subscribe([topic], on_assign=on_assign)
    deadline = time.monotonic() + timeout
    out = sys.stdout
    try:
        while True:
            if assigned and at_eof >= assigned:
                break
            if time.monotonic() > deadline:
                print(f"consume.py: timed out; assigned {sorted(assigned)}, at end {sorted(at_eof)}", file=sys.stderr)
                return 1
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    at_eof.add(msg.partition())
                    continue
                raise KafkaException(msg.error())
            at_eof.discard(msg.partition())
            value = msg.value().decode("utf-8")
            out.write(f"{msg.partition()}\t{msg.offset()}\t{value}\n")
    finally:
        consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
