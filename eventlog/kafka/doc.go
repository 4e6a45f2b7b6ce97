// Package kafka is Candlewick's Apache Kafka backend, on
// github.com/segmentio/kafka-go: an [eventlog.Log] over topics ([Log]), a
// watermill Publisher and consumer-group Subscriber ([Publisher],
// [Subscriber]), topic administration ([CreateTopics], [DescribeTopics])
// and every production setting in one [Config] (TLS, SASL PLAIN and
// SCRAM-SHA-256/512, client ID, batching, compression, acks, retries).
//
// # Streams, partitions and sequence numbers
//
// A stream of the eventlog contract is a Kafka topic of the same name (the
// stream-name charset is Kafka's topic charset), and a record's sequence
// number is its Kafka offset. An eventlog stream is one ordered sequence,
// a topic is several, so a [Log] is a set of views: [Log.Partition](p)
// returns the [eventlog.Log] in which every stream is partition p of its
// topic, and the Log itself is the view of partition 0. The engine runs one
// runner per market partition over such a view; its input (market.bars.v1
// partition p), signals, dead letters and snapshots are all partition p of
// their topics: the topics are co-partitioned (same partition count, see
// [StandardTopics]), so the instance that owns market partition p owns
// signal partition p too, whatever partitioner the market's producers used.
//
// Append is one produce request with one record batch, which readers see
// whole or not at all, and returns the exact offsets the broker assigned.
// Offsets are dense in a topic that is neither compacted nor transactional;
// in the compacted engine.snapshots.v1 compaction leaves gaps, which
// readers skip. Read reads up to the high watermark at the time of the
// call; Follow long-polls (see [Config.FetchMaxWait]); Last is the high
// watermark minus one. Retention deleting old segments moves the log start
// offset: reading before it is [eventlog.ErrOutOfRange].
//
// Append retries what the broker or the network says is temporary (leader
// moving, not enough replicas, a broker away for a while) with exponential
// backoff, up to Config.MaxAttempts. kafka-go has no idempotent producer,
// so when a produce response is lost the Log compares the partition's end
// offset with the one its last append left: unchanged means retry, moved by
// exactly the batch means it landed (single writer per partition, as the
// engine is); anything else is an unknown outcome, and the stream turns
// read-only ([eventlog.ErrReadOnly]) until the Log is reopened, as the
// eventlog contract asks.
//
// # Record headers (wire contract, frozen)
//
// Every event Candlewick writes says what it is in three headers, so any
// Kafka client (kcat, kafkajs, confluent-kafka-python) can route and decode
// it without knowing Candlewick: [HeaderEventType] ("bar", "trade",
// "signal", "dead-letter", "snapshot"), [HeaderSchemaVersion] ("1") and
// [HeaderContentType] ("application/json" by default, or
// "application/x-candlewick-binary" with Config.Codec "binary"). Values are
// the documented JSON of the events package (events/schema). A bar on
// market.bars.v1, as kcat -C -f '%k %h %s\n' prints it:
//
//	BTC-USDT event-type=bar,schema-version=1,content-type=application/json
//	{"symbol":"BTC-USDT","venue":"binance","interval":"5m","open_time":"2021-01-01T00:00:00Z",
//	 "close_time":"2021-01-01T00:05:00Z","open":"28923.63","high":"29031.34","low":"28690.17",
//	 "close":"28995.13","volume":"2311.811445","quote_volume":"66768830.34017135","trade_count":58389}
//
// The key is the symbol. Dead letters keep the original key and bytes and
// carry the reasons in the eventlog.Header* headers. [MetaOf] reads the
// headers back; [Config.MetaHeaders] builds them.
//
// # Partitioning: Murmur2 versus CRC32
//
// The market producers ([NewMarketPublisher], [Config.Writer] with a nil
// balancer) use kafka-go's [kafkago.Murmur2Balancer]: the Java client's
// default partitioner, so Kafka Streams, ksqlDB, Flink and kafka-python
// put a symbol in the same partition ([Murmur2Partition] computes it).
// librdkafka and the tools built on it (kcat, confluent-kafka-python,
// confluent-kafka-go) default to CRC32 instead ("consistent_random");
// configure them with partitioner=murmur2_random (kcat: -X
// partitioner=murmur2_random) to agree. The engine does not depend on it
// (it owns whatever lands in its market partition), but per-symbol order
// across producers and a bot's expectations do.
//
// # Latency settings
//
// kafka-go's Writer waits up to BatchTimeout (default 1 s) to fill a batch:
// a latency trap for a live engine fed one event at a time, so
// Config.BatchTimeout defaults to 1 ms. Follow fetches with MinBytes 1 and
// a short MaxWait ([DefaultFetchMaxWait], 5 ms), so the broker answers a
// waiting fetch as soon as a record arrives: delivery costs one round trip,
// and MaxWait only bounds how often an idle follower wakes up. Together
// they keep the p99 market-append-to-signal-append budget (5 ms at 20k
// events/s).
//
// # Security
//
// [Config.TLS] (see [TLSFiles]: a CA file, and a client certificate and key
// for mutual TLS) and [Config.SASL] apply to every connection: producer,
// consumer, admin. PLAIN and SCRAM-SHA-256/512 are kafka-go's sasl/plain and
// sasl/scram (on github.com/xdg-go/scram, with SASLprep), tested against
// kfake's broker side.
// Passwords never appear in errors or logs: [SASL] redacts itself when
// printed or logged.
//
// # Metadata caching
//
// kafka-go's Transport answers metadata requests from a cache refreshed
// every few seconds. A topic created by another client can look missing
// to it; the Log then asks the cluster directly and rebuilds its
// connection pool, so that reading a stream another process just created
// is not mistaken for an empty stream.
package kafka
