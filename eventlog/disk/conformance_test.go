package disk_test

import (
	"testing"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/disk"
	"github.com/candlewick-labs/candlewick/eventlog/eventlogtest"
)

func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  disk.Config
	}{
		{"FsyncNoneSmallSegments", disk.Config{Fsync: disk.FsyncNone, SegmentSize: disk.MinSegmentSize}},
		{"FsyncAlways", disk.Config{Fsync: disk.FsyncAlways}},
		{"FsyncInterval", disk.Config{Fsync: disk.FsyncInterval}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eventlogtest.Run(t, eventlogtest.Harness{
				New: func(t *testing.T) eventlog.Log {
					cfg := tc.cfg
					cfg.Dir = t.TempDir()
					return mustOpen(t, cfg)
				},
				Reopen: func(t *testing.T, l eventlog.Log) eventlog.Log {
					d := l.(*disk.Log)
					dir := d.Dir()
					if err := d.Close(); err != nil {
						t.Fatalf("Close: %v", err)
					}
					cfg := tc.cfg
					cfg.Dir = dir
					return mustOpen(t, cfg)
				},
				MaxRecordSize: disk.DefaultMaxRecordSize,
			})
		})
	}
}

func mustOpen(t testing.TB, cfg disk.Config) *disk.Log {
	t.Helper()
	l, err := disk.Open(cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}
