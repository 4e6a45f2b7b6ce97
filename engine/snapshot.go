package engine

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"maps"
	"math"
	"slices"
	"strconv"

	"github.com/candlewick-labs/candlewick/events"
)

// Snapshot format, version 1. Frozen: an incompatible change needs a new
// version, and UnmarshalBinary refuses versions it does not know.
//
//	magic        8 bytes "CWCORE\x00\x00"
//	version      1 byte (snapshotV1)
//	fingerprint  32 bytes: SHA-256 of the configuration (instances, their
//	             Def names and versions, parameter hashes, symbols,
//	             intervals, provisional, the indicator registry's unstable
//	             periods), so a snapshot is never restored
//	             into a Core that would interpret it differently
//	position     byte has, string stream, varint partition, varint offset
//	series       uvarint n, then n × series
//	crc32c       4 bytes little-endian, over everything before it
//
// series:  string symbol, varint interval, varint last open (Unix ns),
//
//	uvarint n frames, n × frame, uvarint n runs, n × run
//
// frame:   varint timeframe, byte forming, [varint bucket start, fixed open,
//
//	high, low, close, volume, byte exact, f64 float volume, varint count],
//	uvarint n bars (oldest first), n × (varint open ns, varint close ns,
//	5 × f64), fixed last close, uvarint n indicators, n × indicator
//
// indicator: string name, bytes state, uvarint n rows (oldest first), n × nOut × f64
//
// run:     string instance name, byte stateful, [bytes state]
//
// Integers are zigzag varints and uvarints (encoding/binary), strings and
// bytes a uvarint length then the bytes, f64 the IEEE-754 bits little-endian,
// fixed a varint coefficient then a scale byte.
const (
	snapshotMagic = "CWCORE\x00\x00"
	snapshotV1    = 1
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// SnapshotError describes a snapshot UnmarshalBinary refused. It matches
// [ErrSnapshot].
type SnapshotError struct {
	Offset int    // byte offset where the problem was found
	Detail string // what is wrong
}

// Error returns "engine: bad snapshot at byte N: detail".
func (e *SnapshotError) Error() string {
	return "engine: bad snapshot at byte " + strconv.Itoa(e.Offset) + ": " + e.Detail
}

// Unwrap returns ErrSnapshot.
func (e *SnapshotError) Unwrap() error { return ErrSnapshot }

// configFingerprint hashes what a snapshot's meaning depends on.
func (c *Core) configFingerprint() [32]byte {
	var w snapWriter
	w.b = append(w.b, "candlewick engine config v1"...)
	w.bool(c.provisional)
	// Unstable periods change indicator values without changing their
	// names, so they are part of what a snapshot means. Sorted: map order
	// must not leak into the hash.
	unstable := c.reg.Settings().Unstable
	fns := slices.Sorted(maps.Keys(unstable))
	w.uvarint(uint64(len(fns)))
	for _, fn := range fns {
		w.str(fn)
		w.varint(int64(unstable[fn]))
	}
	w.uvarint(uint64(len(c.insts)))
	for _, in := range c.insts {
		w.str(in.name)
		w.str(in.def.Name)
		w.str(in.version)
		w.str(in.hash)
		w.uvarint(uint64(len(in.symbols)))
		for _, s := range in.symbols {
			w.str(s)
		}
		w.uvarint(uint64(len(in.intervals)))
		for _, iv := range in.intervals {
			w.varint(int64(iv))
		}
	}
	return sha256.Sum256(w.b)
}

type snapWriter struct{ b []byte }

func (w *snapWriter) uvarint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *snapWriter) varint(v int64)   { w.b = binary.AppendVarint(w.b, v) }
func (w *snapWriter) byte1(v byte)     { w.b = append(w.b, v) }
func (w *snapWriter) bool(v bool) {
	if v {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}
func (w *snapWriter) str(s string) { w.uvarint(uint64(len(s))); w.b = append(w.b, s...) }
func (w *snapWriter) bytes(p []byte) {
	w.uvarint(uint64(len(p)))
	w.b = append(w.b, p...)
}
func (w *snapWriter) f64(v float64) {
	w.b = binary.LittleEndian.AppendUint64(w.b, math.Float64bits(v))
}
func (w *snapWriter) fixed(f events.Fixed) { w.varint(f.Coef()); w.byte1(byte(f.Scale())) }

// MarshalBinary snapshots the whole Core (see the format above). The result
// is a new slice owned by the caller. It returns an error only when a
// Stateful strategy or an indicator fails to snapshot itself.
func (c *Core) MarshalBinary() ([]byte, error) {
	w := snapWriter{b: make([]byte, 0, 4096)}
	w.b = append(w.b, snapshotMagic...)
	w.byte1(snapshotV1)
	fp := c.configFP()
	w.b = append(w.b, fp[:]...)
	w.bool(c.hasPos)
	w.str(c.pos.Stream)
	w.varint(int64(c.pos.Partition))
	w.varint(c.pos.Offset)
	w.uvarint(uint64(len(c.series)))
	for _, s := range c.series {
		w.str(s.symbol)
		w.varint(int64(s.iv))
		w.varint(s.lastOpen)
		w.uvarint(uint64(len(s.frames)))
		for _, f := range s.frames {
			w.varint(int64(f.tf))
			w.bool(f.forming)
			if f.forming {
				w.varint(f.bStart)
				w.fixed(f.fOpen)
				w.fixed(f.fHigh)
				w.fixed(f.fLow)
				w.fixed(f.fClose)
				w.fixed(f.fVol)
				w.bool(f.volExact)
				w.f64(f.fVolF)
				w.varint(f.fCount)
			}
			w.uvarint(uint64(f.count))
			for n := f.count - 1; n >= 0; n-- {
				bv, _ := f.bar(n)
				w.varint(bv.OpenTime.UnixNano())
				w.varint(bv.CloseTime.UnixNano())
				for _, x := range [...]float64{bv.Open, bv.High, bv.Low, bv.Close, bv.Volume} {
					w.f64(x)
				}
			}
			w.fixed(f.lastClose)
			w.uvarint(uint64(len(f.inds)))
			for _, is := range f.inds {
				w.str(is.name)
				st, err := is.ind.MarshalBinary()
				if err != nil {
					return nil, fmt.Errorf("engine: snapshot indicator %s of %s %s: %w", is.name, s.symbol, f.tf, err)
				}
				w.bytes(st)
				w.uvarint(uint64(is.count))
				for n := is.count - 1; n >= 0; n-- {
					i := is.head - n
					if i < 0 {
						i += is.hist
					}
					for _, x := range is.vals[i*is.nOut : (i+1)*is.nOut] {
						w.f64(x)
					}
				}
			}
		}
		w.uvarint(uint64(len(s.runs)))
		for _, r := range s.runs {
			w.str(c.insts[r.inst].name)
			w.bool(r.stateful != nil)
			if r.stateful != nil {
				st, err := r.stateful.MarshalBinary()
				if err != nil {
					return nil, fmt.Errorf("engine: snapshot strategy %q on %s: %w", c.insts[r.inst].name, s.symbol, err)
				}
				w.bytes(st)
			}
		}
	}
	w.b = binary.LittleEndian.AppendUint32(w.b, crc32.Checksum(w.b, crcTable))
	return w.b, nil
}

// snapReader reads what snapWriter wrote; the first problem is sticky.
type snapReader struct {
	b   []byte
	p   int
	err *SnapshotError
}

func (r *snapReader) fail(detail string) {
	if r.err == nil {
		r.err = &SnapshotError{Offset: r.p, Detail: detail}
	}
}

func (r *snapReader) ok() bool { return r.err == nil }

func (r *snapReader) uvarint(what string) uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.p:])
	if n <= 0 {
		r.fail("bad " + what)
		return 0
	}
	r.p += n
	return v
}

func (r *snapReader) varint(what string) int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b[r.p:])
	if n <= 0 {
		r.fail("bad " + what)
		return 0
	}
	r.p += n
	return v
}

// count reads a length and checks it against the bytes left, each element
// taking at least minSize bytes, so a corrupt length cannot make us allocate
// beyond the snapshot's size.
func (r *snapReader) count(what string, minSize int) int {
	n := r.uvarint(what)
	if r.err == nil && n > uint64((len(r.b)-r.p)/max(minSize, 1)) {
		r.fail(what + " " + strconv.FormatUint(n, 10) + " beyond the end")
		return 0
	}
	return int(n)
}

func (r *snapReader) byte1(what string) byte {
	if r.err != nil {
		return 0
	}
	if r.p >= len(r.b) {
		r.fail("truncated at " + what)
		return 0
	}
	r.p++
	return r.b[r.p-1]
}

func (r *snapReader) bool(what string) bool {
	switch r.byte1(what) {
	case 0:
		return false
	case 1:
		return true
	}
	r.fail("bad " + what)
	return false
}

func (r *snapReader) bytes(what string) []byte {
	n := r.count(what+" length", 1)
	if r.err != nil {
		return nil
	}
	p := r.b[r.p : r.p+n]
	r.p += n
	return p
}

func (r *snapReader) str(what string) string { return string(r.bytes(what)) }

func (r *snapReader) f64(what string) float64 {
	if r.err != nil {
		return 0
	}
	if len(r.b)-r.p < 8 {
		r.fail("truncated at " + what)
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.b[r.p:]))
	r.p += 8
	return v
}

func (r *snapReader) fixed(what string) events.Fixed {
	c := r.varint(what)
	s := r.byte1(what)
	if r.err != nil {
		return events.Fixed{}
	}
	f, err := events.NewFixed(c, int(s))
	if err != nil || f.Coef() != c {
		r.fail("bad " + what)
	}
	return f
}

// UnmarshalBinary restores a snapshot taken by MarshalBinary of a Core with
// the same configuration. On error (a [*SnapshotError] matching
// [ErrSnapshot], or ErrStrategy when a strategy cannot be rebuilt) the Core
// is left as it was. It does not keep data.
func (c *Core) UnmarshalBinary(data []byte) error {
	r := &snapReader{b: data}
	hdr := len(snapshotMagic) + 1 + len(c.fingerprint)
	if len(data) < hdr+4 {
		return &SnapshotError{Offset: len(data), Detail: "truncated: " + strconv.Itoa(len(data)) + " bytes"}
	}
	if string(data[:len(snapshotMagic)]) != snapshotMagic {
		return &SnapshotError{Detail: "not an engine snapshot (bad magic)"}
	}
	if v := data[len(snapshotMagic)]; v != snapshotV1 {
		return &SnapshotError{Offset: len(snapshotMagic), Detail: "unknown version " + strconv.Itoa(int(v))}
	}
	body := data[:len(data)-4]
	if crc32.Checksum(body, crcTable) != binary.LittleEndian.Uint32(data[len(data)-4:]) {
		return &SnapshotError{Offset: len(data) - 4, Detail: "checksum mismatch"}
	}
	if fp := c.configFP(); string(data[len(snapshotMagic)+1:hdr]) != string(fp[:]) {
		return &SnapshotError{Offset: len(snapshotMagic) + 1,
			Detail: "taken with another configuration (strategies, parameters or options differ)"}
	}
	r.b, r.p = body, hdr
	hasPos := r.bool("position flag")
	pos := events.Position{Stream: r.str("position stream")}
	part := r.varint("position partition")
	if part < math.MinInt32 || part > math.MaxInt32 {
		r.fail("position partition out of range")
	}
	pos.Partition = int32(part)
	pos.Offset = r.varint("position offset")
	n := r.count("series count", 8)
	var all []*series
	index := make(map[seriesKey]int, n)
	for i := 0; i < n && r.ok(); i++ {
		s, err := c.readSeries(r)
		if err != nil {
			return err
		}
		if !r.ok() {
			break
		}
		k := seriesKey{s.symbol, s.iv}
		if _, dup := index[k]; dup {
			r.fail("series " + s.symbol + " " + s.iv.String() + " twice")
			break
		}
		index[k] = len(all)
		all = append(all, s)
	}
	if r.ok() && r.p != len(body) {
		r.fail(strconv.Itoa(len(body)-r.p) + " trailing bytes")
	}
	if r.err != nil {
		return r.err
	}
	c.series, c.index, c.pos, c.hasPos = all, index, pos, hasPos
	return nil
}

// readSeries rebuilds one series as newSeries does, then overwrites its state.
func (c *Core) readSeries(r *snapReader) (*series, error) {
	sym := r.str("symbol")
	iv := events.Interval(r.varint("interval"))
	lastOpen := r.varint("last open")
	if !r.ok() {
		return nil, nil
	}
	if sym == "" || iv <= 0 {
		r.fail("bad series key")
		return nil, nil
	}
	s, err := c.newSeries(sym, iv)
	if err != nil {
		return nil, err
	}
	s.lastOpen = lastOpen
	if nf := r.count("frame count", 4); r.ok() && nf != len(s.frames) {
		r.fail("series " + sym + " " + iv.String() + ": " + strconv.Itoa(nf) + " timeframes, want " + strconv.Itoa(len(s.frames)))
	}
	for _, f := range s.frames {
		if !r.ok() {
			return nil, nil
		}
		readFrame(r, f)
	}
	if nr := r.count("run count", 2); r.ok() && nr != len(s.runs) {
		r.fail("series " + sym + " " + iv.String() + ": " + strconv.Itoa(nr) + " strategies, want " + strconv.Itoa(len(s.runs)))
	}
	for _, run := range s.runs {
		name := r.str("strategy name")
		stateful := r.bool("stateful flag")
		if !r.ok() {
			return nil, nil
		}
		if name != c.insts[run.inst].name || stateful != (run.stateful != nil) {
			r.fail("strategy " + strconv.Quote(name) + " does not match the configuration")
			return nil, nil
		}
		if stateful {
			st := r.bytes("strategy state")
			if r.ok() {
				if err := run.stateful.UnmarshalBinary(st); err != nil {
					r.fail("strategy " + strconv.Quote(name) + " state: " + err.Error())
				}
			}
		}
	}
	return s, nil
}

func readFrame(r *snapReader, f *frame) {
	if tf := events.Interval(r.varint("timeframe")); r.ok() && tf != f.tf {
		r.fail("timeframe " + tf.String() + ", want " + f.tf.String())
		return
	}
	f.forming = r.bool("forming flag")
	if f.forming {
		f.bStart = r.varint("bucket start")
		if r.ok() && f.bStart != bucketStart(f.bStart, int64(f.tf), f.week) {
			r.fail("bucket start not aligned")
		}
		f.bEnd = addSat(f.bStart, int64(f.tf))
		f.fOpen = r.fixed("forming open")
		f.fHigh = r.fixed("forming high")
		f.fLow = r.fixed("forming low")
		f.fClose = r.fixed("forming close")
		f.fVol = r.fixed("forming volume")
		f.volExact = r.bool("volume flag")
		f.fVolF = r.f64("float volume")
		f.fCount = r.varint("bar count")
	}
	nb := r.count("bar history", 18)
	if r.ok() && nb > f.hist {
		r.fail("bar history " + strconv.Itoa(nb) + " longer than " + strconv.Itoa(f.hist))
	}
	for i := 0; i < nb && r.ok(); i++ {
		var br barRec
		br.open = r.varint("bar open")
		br.close = r.varint("bar close")
		br.o, br.h, br.l = r.f64("bar open"), r.f64("bar high"), r.f64("bar low")
		br.c, br.v = r.f64("bar close"), r.f64("bar volume")
		f.push(br, events.Fixed{})
	}
	f.lastClose = r.fixed("last close")
	if ni := r.count("indicator count", 3); r.ok() && ni != len(f.inds) {
		r.fail("timeframe " + f.tf.String() + ": " + strconv.Itoa(ni) + " indicators, want " + strconv.Itoa(len(f.inds)))
	}
	for _, is := range f.inds {
		name := r.str("indicator name")
		if r.ok() && name != is.name {
			r.fail("indicator " + strconv.Quote(name) + ", want " + strconv.Quote(is.name))
		}
		st := r.bytes("indicator state")
		if !r.ok() {
			return
		}
		if err := is.ind.UnmarshalBinary(st); err != nil {
			r.fail("indicator " + is.name + ": " + err.Error())
			return
		}
		nv := r.count("value history", 8*is.nOut)
		if r.ok() && nv > is.hist {
			r.fail("value history " + strconv.Itoa(nv) + " longer than " + strconv.Itoa(is.hist))
		}
		for i := 0; i < nv && r.ok(); i++ {
			row := is.advance()
			for o := range row {
				row[o] = r.f64("indicator value")
			}
			is.count++
		}
	}
}
