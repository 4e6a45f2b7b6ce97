package memlog_test

import (
	"testing"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/eventlogtest"
	"github.com/candlewick-labs/candlewick/eventlog/memlog"
)

func TestConformance(t *testing.T) {
	eventlogtest.Run(t, eventlogtest.Harness{
		New:           func(t *testing.T) eventlog.Log { return memlog.New(memlog.Config{MaxRecordSize: 2 << 20}) },
		MaxRecordSize: 2 << 20,
	})
}
