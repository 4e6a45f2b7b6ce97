package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"strconv"
	"unsafe"

	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/strategies"
)

// SignalID returns the deterministic ID of a signal (see the package
// documentation): the first 32 hex digits of SHA-256 over the instance name,
// parameter hash, symbol, timeframe, source stream, partition, offset, status
// and decision index, separated by zero bytes. Tools that check a signal
// stream (parity, deduplication) recompute it with this function.
func SignalID(instance, paramHash, symbol string, tf events.Interval, src events.Position,
	status events.SignalStatus, index int) string {
	return string(appendSignalID(nil, nil, instance, paramHash, symbol, tf.String(), src, status, index))
}

// appendSignalID appends the hex ID to dst, using scratch for the hash input.
func appendSignalID(dst, scratch []byte, instance, paramHash, symbol, tf string,
	src events.Position, status events.SignalStatus, index int) []byte {
	b := append(scratch[:0], instance...)
	b = append(b, 0)
	b = append(b, paramHash...)
	b = append(b, 0)
	b = append(b, symbol...)
	b = append(b, 0)
	b = append(b, tf...)
	b = append(b, 0)
	b = append(b, src.Stream...)
	b = append(b, 0)
	b = strconv.AppendInt(b, int64(src.Partition), 10)
	b = append(b, 0)
	b = strconv.AppendInt(b, src.Offset, 10)
	b = append(b, 0)
	b = append(b, status.String()...)
	b = append(b, 0)
	b = strconv.AppendInt(b, int64(index), 10)
	sum := sha256.Sum256(b)
	return hex.AppendEncode(dst, sum[:16])
}

// emit turns one decision into a signal appended to out. A decision with an
// undeclared kind, or made while an indicator value is not finite, is dropped
// (counted in Stats.Dropped): no signal carries an invalid value.
func (c *Core) emit(s *series, fi int, r *run, pos events.Position, prov bool,
	d strategies.Decision, out []events.Signal) []events.Signal {
	if r.seqAt != c.applies {
		r.seq, r.seqAt = 0, c.applies
	}
	idx := r.seq
	r.seq++
	if !d.Kind.Valid() {
		c.stats.Dropped++
		return out
	}
	f := s.frames[fi]
	mark := len(c.arena.vals)
	vals := carve(&c.arena.vals, len(r.names))[:0]
	for _, nr := range r.needs {
		is := nr.is
		for _, o := range nr.outs {
			var x float64
			if prov && nr.frame == fi {
				x = is.peek[o]
			} else {
				x, _ = is.value(o, 0)
			}
			if math.IsNaN(x) || math.IsInf(x, 0) {
				c.stats.Dropped++
				c.arena.vals = c.arena.vals[:mark] // nothing handed out: take the slots back
				return out
			}
			vals = append(vals, events.IndicatorValue{Name: r.names[len(vals)], Value: x})
		}
	}
	strength := d.Strength
	switch {
	case math.IsNaN(strength):
		strength = 0
	case strength > 1:
		strength = 1
	case strength < -1:
		strength = -1
	}
	status := events.StatusConfirmed
	price := f.lastClose
	closeNs := int64(0)
	if prov {
		status = events.StatusProvisional
		price = f.fClose
		closeNs = f.bEnd
	} else {
		bv, _ := f.bar(0)
		closeNs = bv.CloseTime.UnixNano()
	}
	in := &c.insts[r.inst]
	var scratch [256]byte
	id := c.arena.id(func(dst []byte) []byte {
		return appendSignalID(dst, scratch[:0], in.name, in.hash, s.symbol, f.tfText, pos, status, idx)
	})
	var params []events.Param
	if in.params != nil {
		params = carve(&c.arena.params, len(in.params))
		copy(params, in.params)
	}
	c.stats.Signals++
	return append(out, events.Signal{
		ID:              id,
		Strategy:        in.name,
		StrategyVersion: in.version,
		ParamHash:       in.hash,
		Params:          params,
		Symbol:          s.symbol,
		Timeframe:       f.tf,
		Time:            unixUTC(closeNs),
		Kind:            d.Kind,
		Strength:        strength,
		Price:           price,
		Reason:          d.Reason,
		Indicators:      vals,
		Status:          status,
		Source:          pos,
	})
}

// arenaChunk is how many elements (bytes for IDs) each block of a
// signalArena holds: a signal takes a few, so a block serves dozens to
// hundreds of signals with one allocation.
const arenaChunk = 512

// signalArena hands out the memory of the signals' slices and IDs in blocks,
// so that emitting a signal costs no allocation of its own (the hot path
// emits a signal on about one bar in five). Every piece is handed out once
// and never written again by the Core, and slices are capacity-clipped, so
// signals share no element with each other or with the Core: appending to
// one copies, it never reaches into another's. The cost is that a signal
// kept alive keeps its whole block alive (a few KiB).
type signalArena struct {
	vals   []events.IndicatorValue
	params []events.Param
	ids    []byte
}

// carve returns n zero elements from the block *a has room in (a new block
// when it has none), with length and capacity n. n == 0 gives an empty,
// non-nil slice, as make would.
func carve[T any](a *[]T, n int) []T {
	if n == 0 {
		return []T{}
	}
	if cap(*a)-len(*a) < n {
		*a = make([]T, 0, max(arenaChunk, n))
	}
	b := *a
	*a = b[:len(b)+n]
	return b[len(b) : len(b)+n : len(b)+n]
}

// signalIDLen is the length of a signal ID: 16 bytes of SHA-256 in hex.
const signalIDLen = 32

// id returns the string write appends to its argument (a signalIDLen-byte
// ID), stored in the ids block.
func (a *signalArena) id(write func(dst []byte) []byte) string {
	if cap(a.ids)-len(a.ids) < signalIDLen {
		a.ids = make([]byte, 0, arenaChunk*signalIDLen)
	}
	start := len(a.ids)
	a.ids = write(a.ids)
	if len(a.ids)-start != signalIDLen || cap(a.ids) != arenaChunk*signalIDLen {
		// Cannot happen (the ID is a fixed-size hex digest and the block has
		// room for it), but if it did the bytes might not be ours alone:
		// copy them into a string of their own.
		sid := string(a.ids[start:])
		a.ids = nil
		return sid
	}
	// unsafe.String is sound here: these bytes were written once, just now,
	// and the Core never writes to a byte of the block before len(a.ids)
	// again (it only appends after it, and starts a new block when full), so
	// the string's bytes never change. The string keeps the block alive.
	return unsafe.String(&a.ids[start], signalIDLen)
}
