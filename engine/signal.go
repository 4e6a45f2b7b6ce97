package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"slices"
	"strconv"

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
	idx := r.seq
	r.seq++
	if !d.Kind.Valid() {
		c.stats.Dropped++
		return out
	}
	f := s.frames[fi]
	vals := make([]events.IndicatorValue, 0, len(r.names))
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
	var id [32]byte
	var scratch [256]byte
	idb := appendSignalID(id[:0], scratch[:0], in.name, in.hash, s.symbol, f.tfText, pos, status, idx)
	c.stats.Signals++
	return append(out, events.Signal{
		ID:              string(idb),
		Strategy:        in.name,
		StrategyVersion: in.version,
		ParamHash:       in.hash,
		Params:          slices.Clone(in.params),
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
