package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/kafka"
)

func cmdTopics(ctx context.Context, sio stdio, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(sio.out, `Usage: candlewick topics create|describe --brokers host:port,... [flags] [topics...]

Administer Candlewick's Kafka topics.

  create    create topics (default: the standard set) with partitions,
            replication factor and configs; existing topics are left as
            they are (idempotent)
  describe  print partitions, leaders, replicas, in-sync replicas, offsets
            and non-default configs

Run 'candlewick topics create --help' or 'candlewick topics describe --help'
for the flags.
`)
		if len(args) == 0 {
			return usagef("want a subcommand: create or describe")
		}
		return nil
	}
	switch args[0] {
	case "create":
		return cmdTopicsCreate(ctx, sio, args[1:])
	case "describe":
		return cmdTopicsDescribe(ctx, sio, args[1:])
	}
	return usagef("unknown subcommand %q: want create or describe", args[0])
}

// configFlag is the repeatable --config topic=key=value.
type configFlag []string

func (c *configFlag) String() string     { return strings.Join(*c, " ") }
func (c *configFlag) Set(s string) error { *c = append(*c, s); return nil }

func cmdTopicsCreate(ctx context.Context, sio stdio, args []string) error {
	fs := newFlagSet(sio, "topics create", "--brokers host:port,... [flags] [topics...]", `
Create Kafka topics. Without topic names, the standard set: market.bars.v1,
market.trades.v1, signals.v1, deadletter.v1 and engine.snapshots.v1 (compacted:
cleanup.policy=compact), all with the same partition count so that they are
co-partitioned (an engine instance that owns market partition p owns partition p
of the others). A standard name given explicitly gets its standard configs too.

A topic that already exists with the same partition count is left as it is,
configs included (so running create twice is fine); one with a different count
is an error. Prints one line per topic: created or exists.`)
	ko := kafkaFlags(fs)
	partitions := fs.Int("partitions", kafka.DefaultDevPartitions, "partitions of each topic")
	rf := fs.Int("replication-factor", 1, "replicas of each partition (0: the broker's default)")
	var configs configFlag
	fs.Var(&configs, "config", "a topic config as topic=key=value, e.g. signals.v1=retention.ms=-1 (repeatable)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := kafkaConfigOf(ko)
	if err != nil {
		return err
	}
	var errs []error
	if *partitions < 1 {
		errs = append(errs, fmt.Errorf("--partitions %d: want at least 1", *partitions))
	}
	if *rf < 0 {
		errs = append(errs, fmt.Errorf("--replication-factor %d: want 0 or more", *rf))
	}
	standard := kafka.StandardTopics(*partitions, *rf)
	specs := standard
	if fs.NArg() > 0 {
		specs = nil
		for _, name := range fs.Args() {
			if err := eventlog.ValidateStream(name); err != nil {
				errs = append(errs, err)
				continue
			}
			if slices.ContainsFunc(specs, func(s kafka.TopicSpec) bool { return s.Name == name }) {
				continue
			}
			spec := kafka.TopicSpec{Name: name, Partitions: *partitions, ReplicationFactor: *rf}
			if i := slices.IndexFunc(standard, func(s kafka.TopicSpec) bool { return s.Name == name }); i >= 0 {
				spec = standard[i]
			}
			specs = append(specs, spec)
		}
	}
	for _, c := range configs {
		topic, kv, ok1 := strings.Cut(c, "=")
		key, val, ok2 := strings.Cut(kv, "=")
		if !ok1 || !ok2 || topic == "" || key == "" {
			errs = append(errs, fmt.Errorf("--config %q: want topic=key=value", c))
			continue
		}
		i := slices.IndexFunc(specs, func(s kafka.TopicSpec) bool { return s.Name == topic })
		if i < 0 {
			errs = append(errs, fmt.Errorf("--config %q: topic %s is not one being created", c, topic))
			continue
		}
		// Copy: the standard specs' maps are shared.
		m := make(map[string]string, len(specs[i].Configs)+1)
		for k, v := range specs[i].Configs {
			m[k] = v
		}
		m[key] = val
		specs[i].Configs = m
	}
	if len(errs) > 0 {
		return usageError{errors.Join(errs...).Error()}
	}
	res, err := kafka.CreateTopics(ctx, cfg, specs)
	tw := tabwriter.NewWriter(sio.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "topic\tpartitions\treplication\tconfigs\tresult")
	for i, r := range res {
		s := specs[i]
		what := "exists (left as it is)"
		if r.Created {
			what = "created"
		}
		rfs := fmt.Sprint(s.ReplicationFactor)
		if s.ReplicationFactor == 0 {
			rfs = "default"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", s.Name, s.Partitions, rfs, configString(s.Configs), what)
	}
	tw.Flush()
	if errors.Is(err, kafka.ErrInvalidConfig) {
		return usageError{err.Error()}
	}
	return err
}

func cmdTopicsDescribe(ctx context.Context, sio stdio, args []string) error {
	fs := newFlagSet(sio, "topics describe", "--brokers host:port,... [--json] [topics...]", `
Describe Kafka topics (default: every topic but the broker's internal ones): one
row per partition with its leader, replicas and in-sync replicas (broker IDs),
and its start and end offsets (end - start records are readable; end is the
offset the next record gets), then the topic's non-default configs. --json
prints the same as one JSON array.`)
	ko := kafkaFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := kafkaConfigOf(ko)
	if err != nil {
		return err
	}
	for _, n := range fs.Args() {
		if err := eventlog.ValidateStream(n); err != nil {
			return usageError{err.Error()}
		}
	}
	var names []string // nil, not empty: every topic
	if fs.NArg() > 0 {
		names = fs.Args()
	}
	descs, err := kafka.DescribeTopics(ctx, cfg, names)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeTopicsJSON(sio.out, descs)
	}
	writeTopicsTable(sio.out, descs)
	return nil
}

// writeTopicsTable prints descs as an aligned table, one row per partition;
// a topic's configs are on its first row.
func writeTopicsTable(w io.Writer, descs []kafka.TopicDescription) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "topic\tpartition\tleader\treplicas\tisr\tstart\tend\tconfigs")
	for _, d := range descs {
		cs := configString(d.Configs)
		for i, p := range d.Partitions {
			name, c := d.Name, cs
			if i > 0 {
				name, c = "", ""
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%d\t%d\t%s\n", name, p.ID, p.Leader, ints(p.Replicas), ints(p.ISR), p.Start, p.End, c)
		}
		if len(d.Partitions) == 0 {
			fmt.Fprintf(tw, "%s\t-\t\t\t\t\t\t%s\n", d.Name, cs)
		}
	}
	tw.Flush()
}

// topicJSON is the --json form of a topic; the field names are part of
// the command's interface.
type topicJSON struct {
	Topic      string            `json:"topic"`
	Partitions []partitionJSON   `json:"partitions"`
	Configs    map[string]string `json:"configs"`
}

type partitionJSON struct {
	Partition int   `json:"partition"`
	Leader    int   `json:"leader"`
	Replicas  []int `json:"replicas"`
	ISR       []int `json:"isr"`
	Start     int64 `json:"start"`
	End       int64 `json:"end"`
}

func writeTopicsJSON(w io.Writer, descs []kafka.TopicDescription) error {
	out := make([]topicJSON, 0, len(descs))
	for _, d := range descs {
		t := topicJSON{Topic: d.Name, Partitions: []partitionJSON{}, Configs: d.Configs}
		if t.Configs == nil {
			t.Configs = map[string]string{}
		}
		for _, p := range d.Partitions {
			t.Partitions = append(t.Partitions, partitionJSON{Partition: p.ID, Leader: p.Leader,
				Replicas: orEmpty(p.Replicas), ISR: orEmpty(p.ISR), Start: p.Start, End: p.End})
		}
		out = append(out, t)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out) // encoding/json sorts map keys: stable output
}

func orEmpty(s []int) []int {
	if s == nil {
		return []int{}
	}
	return s
}

func ints(s []int) string {
	parts := make([]string, len(s))
	for i, n := range s {
		parts[i] = fmt.Sprint(n)
	}
	return strings.Join(parts, ",")
}

// configString is "k=v,k=v" in key order, "-" for none.
func configString(m map[string]string) string {
	if len(m) == 0 {
		return "-"
	}
	var b []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		b = append(b, k+"="+m[k])
	}
	return strings.Join(b, ",")
}

// kafkaConfigOf returns the Kafka configuration of the kafka flags, which
// must name brokers. Invalid settings are usage errors (exit 2).
func kafkaConfigOf(ko *kafkaOptions) (kafka.Config, error) {
	if !ko.Enabled() {
		return kafka.Config{}, usagef("--brokers is required")
	}
	return kafkaConfigLogged(ko, nil)
}

// kafkaConfigLogged is kafkaConfigOf for an optional Kafka path: it
// does not check Enabled. logger may be nil (discard).
func kafkaConfigLogged(ko *kafkaOptions, logger *slog.Logger) (kafka.Config, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := ko.Config(logger)
	if err != nil {
		if errors.As(err, new(usageError)) {
			return cfg, err
		}
		if errors.Is(err, kafka.ErrInvalidConfig) {
			return cfg, usageError{oneLine(err)}
		}
		return cfg, err
	}
	if err := cfg.Validate(); err != nil {
		return cfg, usageError{oneLine(err)}
	}
	return cfg, nil
}
