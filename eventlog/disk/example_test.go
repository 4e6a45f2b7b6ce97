package disk_test

import (
	"context"
	"fmt"
	"os"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/disk"
)

// Open a log, append, follow the tail and reopen: the records are durable.
func ExampleOpen() {
	dir, err := os.MkdirTemp("", "eventlog-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	l, err := disk.Open(disk.Config{Dir: dir}) // FsyncAlways by default
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := l.Append(ctx, "market.bars.v1", []eventlog.Record{
		{Key: []byte("BTC-USDT"), Value: []byte("bar 1")},
		{Key: []byte("BTC-USDT"), Value: []byte("bar 2")},
	}); err != nil {
		fmt.Println(err)
		return
	}

	// Follow blocks for new records; stop it after the second one.
	fctx, stop := context.WithCancel(ctx)
	err = l.Follow(fctx, "market.bars.v1", 0, func(r eventlog.Record) error {
		fmt.Printf("follow %d %s\n", r.Seq, r.Value)
		if r.Seq == 1 {
			stop()
		}
		return nil
	})
	fmt.Println("follow ended:", err)
	l.Close()

	l, err = disk.Open(disk.Config{Dir: dir})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer l.Close()
	last, _ := l.Last(ctx, "market.bars.v1")
	fmt.Println("after reopen, last =", last, "recovered:", len(l.Recovered()))
	// Output:
	// follow 0 bar 1
	// follow 1 bar 2
	// follow ended: context canceled
	// after reopen, last = 1 recovered: 0
}
