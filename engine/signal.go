package engine

import (
	"crypto/sha256"
	"encoding"
	"hash"
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
	b := appendIDPrefix(scratch[:0], instance, paramHash, symbol, tf, src.Stream)
	b = appendIDSuffix(b, src, status, index)
	sum := sha256.Sum256(b)
	return appendHex16(dst, sum[:16])
}

// appendHex16 is hex.AppendEncode(dst, p[:16]) (lower case), two digits
// at a time from a table: a signal ID is 16 bytes of hex, and encoding
// them byte by byte was a fifth of the cost of an ID after the hash.
func appendHex16(dst, p []byte) []byte {
	p = p[:16]
	n := len(dst)
	dst = append(dst, "0123456789abcdef0123456789abcdef"...)
	out := dst[n : n+32]
	for i, c := range p {
		out[2*i] = hexPairs[2*int(c)]
		out[2*i+1] = hexPairs[2*int(c)+1]
	}
	return dst
}

// hexPairs holds the two lower-case hex digits of every byte value.
const hexPairs = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" +
	"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f" +
	"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f" +
	"606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f" +
	"808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f" +
	"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf" +
	"c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf" +
	"e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"

// appendIDPrefix appends the part of a signal ID's hash input that is the
// same for every signal of one strategy run on one frame of one series (and
// one input stream).
func appendIDPrefix(b []byte, instance, paramHash, symbol, tf, stream string) []byte {
	b = append(b, instance...)
	b = append(b, 0)
	b = append(b, paramHash...)
	b = append(b, 0)
	b = append(b, symbol...)
	b = append(b, 0)
	b = append(b, tf...)
	b = append(b, 0)
	b = append(b, stream...)
	return append(b, 0)
}

// appendIDSuffix appends the rest of the hash input, after appendIDPrefix.
func appendIDSuffix(b []byte, src events.Position, status events.SignalStatus, index int) []byte {
	b = appendInt(b, int64(src.Partition))
	b = append(b, 0)
	b = appendInt(b, src.Offset)
	b = append(b, 0)
	b = append(b, status.String()...)
	b = append(b, 0)
	return appendInt(b, int64(index))
}

// appendInt is strconv.AppendInt(b, n, 10), with the single digits that
// partitions and decision indexes nearly always are written directly.
func appendInt(b []byte, n int64) []byte {
	if uint64(n) < 10 {
		return append(b, byte('0'+n))
	}
	return strconv.AppendInt(b, n, 10)
}

// idPrefix caches, for one view (a run on a frame of a series), the SHA-256
// state after the constant prefix of its signal IDs' hash input
// (appendIDPrefix), when that prefix fills at least one 64-byte block: each
// ID then hashes only the blocks after it, which saves about half of the
// hashing of a typical ID. The IDs are the same bytes as appendSignalID's.
type idPrefix struct {
	stream string // the input stream the state was computed for
	ok     bool   // stream and mid are set
	mid    bool   // state holds a midstate; false: the prefix is too short to be worth it
	state  []byte // the marshaled sha256 state after the prefix
}

// idHasher is the SHA-256 a Core computes IDs with from a cached midstate;
// crypto/sha256's digest implements every method.
type idHasher interface {
	hash.Hash
	encoding.BinaryAppender
	encoding.BinaryUnmarshaler
}

// signalID appends the ID of a signal of view v (see SignalID) to dst.
func (c *Core) signalID(dst []byte, v *view, pos events.Position, status events.SignalStatus, idx int) []byte {
	in := &c.insts[v.r.inst]
	// The hash input goes through an interface (Write), so it would escape
	// from the stack: it lives in a buffer of the Core's.
	if c.idBuf == nil {
		c.idBuf = make([]byte, 0, 256)
	}
	p := &v.idp
	if !p.ok || !sameString(p.stream, pos.Stream) {
		p.ok, p.mid, p.stream = true, false, pos.Stream
		c.idBuf = appendIDPrefix(c.idBuf[:0], in.name, in.hash, v.s.symbol, v.f.tfText, pos.Stream)
		if len(c.idBuf) >= sha256.BlockSize && c.newIDHash() {
			c.idHash.Reset()
			c.idHash.Write(c.idBuf)
			if p.state == nil {
				p.state = c.reuse.idState() // the state takes 108 bytes: one allocation, or a spare
			}
			if st, err := c.idHash.AppendBinary(p.state[:0]); err == nil {
				p.state, p.mid = st, true
			}
		}
	}
	if !p.mid || c.idHash.UnmarshalBinary(p.state) != nil {
		return appendSignalID(dst, c.idBuf[:0], in.name, in.hash, v.s.symbol, v.f.tfText, pos, status, idx)
	}
	// The buffers keep their capacity, so they are stored back only if they
	// grew: a pointer write costs a write barrier while the GC is marking.
	buf := appendIDSuffix(c.idBuf[:0], pos, status, idx)
	if cap(buf) != cap(c.idBuf) {
		c.idBuf = buf[:0]
	}
	c.idHash.Write(buf)
	sum := c.idHash.Sum(c.idSum[:0])
	if cap(sum) != cap(c.idSum) {
		c.idSum = sum[:0]
	}
	return appendHex16(dst, sum)
}

// newIDHash sets c.idHash if it is nil, and reports whether it is set: it
// is not when crypto/sha256's digest cannot marshal its state (it always
// can; then IDs are hashed in full).
func (c *Core) newIDHash() bool {
	if c.idHash == nil {
		h, ok := sha256.New().(idHasher)
		if !ok {
			return false
		}
		c.idHash = h
	}
	return true
}

// emit turns one decision into a signal appended to out. A decision with an
// undeclared kind, or made while an indicator value is not finite, is dropped
// (counted in Stats.Dropped): no signal carries an invalid value.
func (c *Core) emit(v *view, pos events.Position, prov bool, d strategies.Decision, out []events.Signal) []events.Signal {
	s, fi, r := v.s, v.fi, v.r
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
	mark := c.arena.nVals
	vals := carve(&c.arena.vals, &c.arena.nVals, len(r.names), c.arena.blockLen(len(c.arena.vals)))[:0]
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
				c.arena.nVals = mark // nothing handed out: take the slots back
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
		closeNs = f.latestClose()
	}
	in := &c.insts[r.inst]
	id := c.arena.id(func(dst []byte) []byte {
		return c.signalID(dst, v, pos, status, idx)
	})
	// One parameter list per instance, shared by all its signals
	// (capacity-clipped: an append copies). Copying it per signal was most
	// of the bytes the replay allocated, and so most of its GC work.
	params := in.params
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
//
// Blocks are full-length slices with a count of elements handed out, so
// that carving a piece writes an integer, not a slice header: a pointer
// write costs a write barrier while the GC is marking, and emission
// allocates enough that it often is.
type signalArena struct {
	vals   []events.IndicatorValue
	params []events.Param
	ids    []byte
	nVals  int // vals[:nVals] are handed out
	nPar   int // params[:nPar] are handed out
	nIDs   int // ids[:nIDs] are handed out
	// chunk is the elements a new block holds: arenaChunk, or fewer when
	// blocks are rewound for every Apply (rewound: transient signal
	// memory), where a new block doubles the last so that a bar with many
	// signals grows the block once, not on every such bar.
	chunk   int
	rewound bool
}

// blockLen is the length of a new block replacing one of length cur.
func (a *signalArena) blockLen(cur int) int {
	if a.rewound {
		return max(a.chunk, 2*cur)
	}
	return a.chunk
}

// carve returns n elements from the block *a has room in after its first
// *used (a new block of max(chunk, n) zero elements when it has none),
// with length and capacity n. n == 0 gives an empty, non-nil slice, as
// make would.
func carve[T any](a *[]T, used *int, n, chunk int) []T {
	if n == 0 {
		return []T{}
	}
	if len(*a)-*used < n {
		*a = make([]T, max(chunk, n))
		*used = 0
	}
	i := *used
	*used = i + n
	return (*a)[i : i+n : i+n]
}

// signalIDLen is the length of a signal ID: 16 bytes of SHA-256 in hex.
const signalIDLen = 32

// id returns the string write appends to its argument (a signalIDLen-byte
// ID), stored in the ids block.
func (a *signalArena) id(write func(dst []byte) []byte) string {
	if len(a.ids)-a.nIDs < signalIDLen {
		a.ids = make([]byte, a.blockLen(len(a.ids)/signalIDLen)*signalIDLen)
		a.nIDs = 0
	}
	start := a.nIDs
	b := write(a.ids[:start])
	if len(b)-start != signalIDLen || cap(b) != len(a.ids) || &b[0] != &a.ids[0] {
		// Cannot happen (the ID is a fixed-size hex digest and the block has
		// room for it), but if it did the bytes might not be ours alone:
		// copy them into a string of their own.
		sid := string(b[start:])
		a.ids, a.nIDs = nil, 0
		return sid
	}
	a.nIDs = len(b)
	// unsafe.String is sound here: these bytes were written once, just now,
	// and the Core never writes to a byte of the block before a.nIDs again
	// (it only appends after it, and starts a new block when full), so the
	// string's bytes never change. The string keeps the block alive.
	return unsafe.String(&a.ids[start], signalIDLen)
}
