package eventlog_test

import (
	"context"
	"fmt"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/memlog"
)

// Append a batch, then scan it with an iterator. The record returned by
// Record aliases the iterator's buffer: use it before the next Next, or
// Clone it.
func Example() {
	ctx := context.Background()
	var l eventlog.Log = memlog.New(memlog.Config{})
	defer l.Close()

	seqs, err := l.Append(ctx, "signals.v1", []eventlog.Record{
		{Key: []byte("BTC-USDT"), Value: []byte("buy")},
		{Key: []byte("ETH-USDT"), Value: []byte("sell"), Headers: []eventlog.Header{{Key: "content-type", Value: []byte("text/plain")}}},
	})
	fmt.Println(seqs, err)

	it, err := l.Read(ctx, "signals.v1", 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	for it.Next() {
		r := it.Record()
		fmt.Printf("%d %s %s %d header(s)\n", r.Seq, r.Key, r.Value, len(r.Headers))
	}
	if err := it.Close(); err != nil {
		fmt.Println(err)
	}
	last, _ := l.Last(ctx, "signals.v1")
	fmt.Println("last", last)
	// Output:
	// [0 1] <nil>
	// 0 BTC-USDT buy 0 header(s)
	// 1 ETH-USDT sell 1 header(s)
	// last 1
}

func ExampleValidateStream() {
	fmt.Println(eventlog.ValidateStream("market.bars.v1"))
	fmt.Println(eventlog.ValidateStream("../etc"))
	// Output:
	// <nil>
	// eventlog: invalid stream name "../etc": starts with '.'
}
