package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/candlewick-labs/candlewick/eventlog/kafka"
)

func cmdDevKafka(ctx context.Context, sio stdio, args []string) error {
	fs := newFlagSet(sio, "dev-kafka", "[--listen host:port] [--partitions N]", `
Start a Kafka-protocol development broker in this process, with Candlewick's
topics created (market.bars.v1, market.trades.v1, signals.v1, deadletter.v1 and
the compacted engine.snapshots.v1), and run until interrupted (SIGINT or
SIGTERM). Any Kafka client can use it: 'candlewick import --brokers', 'candlewick
run --brokers', kcat, kafka-python, the Java client.

It is for trying the Kafka path without installing Kafka, and for tests. It is
NOT for production: everything is kept in memory and gone on exit; it is a single
process with one broker (no replication, no durability); memory grows with every
record produced. For real Kafka use deploy/docker-compose.yaml (Apache Kafka in
KRaft mode) or your own cluster.

The address is advertised to clients as given: listen on a host they can reach
(the default, 127.0.0.1, serves this machine only).`)
	listen := fs.String("listen", kafka.DefaultDevListen, "host:port to listen on (port 0: any free port)")
	partitions := fs.Int("partitions", kafka.DefaultDevPartitions, "partitions of each topic")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *partitions < 1 {
		return usagef("--partitions %d: want at least 1", *partitions)
	}
	d, err := kafka.StartDev(ctx, kafka.DevConfig{Listen: *listen, Partitions: *partitions})
	if errors.Is(err, kafka.ErrInvalidConfig) {
		return usageError{err.Error()}
	}
	if err != nil {
		return err
	}
	defer d.Close()
	addr := d.Addrs()[0]
	// The first line is for scripts: the address clients connect to.
	fmt.Fprintf(sio.out, "listening on %s\n", addr)
	fmt.Fprintf(sio.out, "Kafka development broker: in memory only, gone on exit, NOT for production.\n\n")
	tw := tabwriter.NewWriter(sio.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "topic\tpartitions\tconfigs")
	for _, t := range d.Topics() {
		var cs []string
		for _, k := range slices.Sorted(maps.Keys(t.Configs)) {
			cs = append(cs, k+"="+t.Configs[k])
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\n", t.Name, t.Partitions, strings.Join(cs, ","))
	}
	tw.Flush()
	fmt.Fprintf(sio.out, "\nTry: candlewick import --brokers %s examples/data/btc-1h.csv --symbol BTC-USDT\n", addr)
	fmt.Fprintf(sio.out, "Stop with Ctrl-C.\n")
	if f, ok := sio.out.(interface{ Sync() error }); ok {
		_ = f.Sync()
	}
	<-ctx.Done()
	d.Close()
	fmt.Fprintf(sio.out, "stopped; everything it held is gone\n")
	return nil
}
