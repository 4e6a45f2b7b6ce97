package engine_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"sort"
	"strconv"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/events"
)

// fakeCore is a tiny deterministic Processor with the Core's contract: bars
// per (symbol, interval) must have increasing open times, and it emits a
// signal every third bar of a series whose close is above the previous
// close. It lets the runner tests pin the live machinery independently of
// the strategies.
type fakeCore struct {
	last  map[string]int64 // series -> last open time (unix ns)
	prev  map[string]events.Fixed
	count map[string]int64
	pos   events.Position
	// panicOn makes Apply panic on a bar with this close (a poison event).
	panicOn string
}

func newFakeCore() (engine.Processor, error) {
	return &fakeCore{last: map[string]int64{}, prev: map[string]events.Fixed{}, count: map[string]int64{}, panicOn: "666"}, nil
}

var errFakeRejected = errors.New("fake: bar rejected")

func (c *fakeCore) Apply(pos events.Position, b *events.Bar, out []events.Signal) ([]events.Signal, error) {
	if err := b.Validate(); err != nil {
		return out, err
	}
	if b.Close.String() == c.panicOn {
		panic("fake strategy bug")
	}
	k := b.Symbol + "/" + b.Interval.String()
	ot := b.OpenTime.UnixNano()
	if last, ok := c.last[k]; ok && ot <= last {
		return out, errFakeRejected
	}
	c.last[k] = ot
	c.count[k]++
	prev, had := c.prev[k]
	c.prev[k] = b.Close
	c.pos = pos
	if had && c.count[k]%3 == 0 && b.Close.Cmp(prev) > 0 {
		h := sha256.Sum256([]byte(k + "\x00" + pos.Stream + "\x00" + strconv.FormatInt(pos.Offset, 10)))
		out = append(out, events.Signal{
			ID: hex.EncodeToString(h[:16]), Strategy: "fake", StrategyVersion: "1", ParamHash: "00",
			Symbol: b.Symbol, Timeframe: b.Interval, Time: b.CloseTime, Kind: events.KindLong,
			Strength: 1, Price: b.Close, Reason: "up", Status: events.StatusConfirmed, Source: pos,
			Indicators: []events.IndicatorValue{{Name: "close", Value: b.Close.Float64()}},
		})
	}
	return out, nil
}

func (c *fakeCore) Skip(pos events.Position) { c.pos = pos }

func (c *fakeCore) MarshalBinary() ([]byte, error) {
	keys := make([]string, 0, len(c.last))
	for k := range c.last {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b []byte
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		b = binary.AppendVarint(b, c.last[k])
		b = binary.AppendVarint(b, c.count[k])
		p := c.prev[k].String()
		b = binary.AppendUvarint(b, uint64(len(p)))
		b = append(b, p...)
	}
	return b, nil
}

func (c *fakeCore) UnmarshalBinary(b []byte) error {
	bad := errors.New("fake: bad snapshot")
	n, k := binary.Uvarint(b)
	if k <= 0 {
		return bad
	}
	b = b[k:]
	str := func() (string, bool) {
		l, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < l {
			return "", false
		}
		s := string(b[k : k+int(l)])
		b = b[k+int(l):]
		return s, true
	}
	vi := func() (int64, bool) {
		v, k := binary.Varint(b)
		if k <= 0 {
			return 0, false
		}
		b = b[k:]
		return v, true
	}
	for i := uint64(0); i < n; i++ {
		key, ok1 := str()
		last, ok2 := vi()
		cnt, ok3 := vi()
		p, ok4 := str()
		if !ok1 || !ok2 || !ok3 || !ok4 {
			return bad
		}
		f, err := events.ParseFixed(p)
		if err != nil {
			return bad
		}
		c.last[key], c.count[key], c.prev[key] = last, cnt, f
	}
	if len(b) != 0 {
		return bad
	}
	return nil
}
