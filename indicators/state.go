package indicators

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Snapshot format, shared by every indicator: a version byte (stateVersion),
// the indicator's Name() as a length-prefixed string so a snapshot is never
// restored into an indicator with other parameters, then the indicator's own
// fields in a fixed order: float64 as IEEE-754 bits (bit-exact restore) and
// integers as little-endian 64-bit. Frozen: change stateVersion with any
// incompatible change.
//
// Version 2: the sliding-extreme window (MAX, MIN, MIDPOINT, MIDPRICE,
// WILLR, AROON, AROONOSC, DONCHIAN, STOCH, STOCHF, STOCHRSI) holds
// van Herk/Gil-Werman blocks instead of monotonic deques. Version 1
// snapshots are refused with ErrState (snapshots are caches: the engine
// rebuilds from the log).
//
// An indicator whose own layout changes gets its own version, written in
// the same first byte, and lists the versions it still reads: LinReg
// (LINEARREG and family) writes linRegStateVersion (4) and reads 4, 3 and 2.
const stateVersion = 2

// ErrState is returned (wrapped) by UnmarshalBinary for a snapshot that is
// truncated, of another version, or taken from an indicator with other
// parameters.
var ErrState = errors.New("indicators: bad state snapshot")

type stateEncoder struct{ b []byte }

func newStateEncoder(name string) *stateEncoder { return newStateEncoderVersion(name, stateVersion) }

// newStateEncoderVersion is newStateEncoder for an indicator with its own
// snapshot version.
func newStateEncoderVersion(name string, version byte) *stateEncoder {
	e := &stateEncoder{b: make([]byte, 0, 64)}
	e.b = append(e.b, version)
	e.str(name)
	return e
}

func (e *stateEncoder) f64(v float64) {
	e.b = binary.LittleEndian.AppendUint64(e.b, math.Float64bits(v))
}
func (e *stateEncoder) int(v int) { e.b = binary.LittleEndian.AppendUint64(e.b, uint64(int64(v))) }
func (e *stateEncoder) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}
func (e *stateEncoder) str(s string) {
	e.int(len(s))
	e.b = append(e.b, s...)
}

// bytes returns the snapshot.
func (e *stateEncoder) bytes() ([]byte, error) { return e.b, nil }

// stateDecoder reads what stateEncoder wrote. The first problem is sticky:
// later reads return zero values and err() reports it.
type stateDecoder struct {
	b   []byte
	err error
}

func newStateDecoder(data []byte, name string) *stateDecoder {
	d, _ := newStateDecoderVersions(data, name, stateVersion)
	return d
}

// newStateDecoderVersions is newStateDecoder for an indicator that reads
// any of versions; it also returns the snapshot's version (0 on error).
func newStateDecoderVersions(data []byte, name string, versions ...byte) (*stateDecoder, byte) {
	d := &stateDecoder{b: data}
	var version byte
	if len(d.b) > 0 {
		for _, v := range versions {
			if d.b[0] == v {
				version = v
			}
		}
	}
	if version == 0 {
		if len(d.b) == 0 {
			d.fail("empty")
		} else {
			d.fail(fmt.Sprintf("unknown version %d (this build reads %v)", d.b[0], versions))
		}
		return d, 0
	}
	d.b = d.b[1:]
	if got := d.str(); d.err == nil && got != name {
		d.fail(fmt.Sprintf("snapshot of %q restored into %q", got, name))
	}
	return d, version
}

func (d *stateDecoder) fail(why string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", ErrState, why)
	}
}

func (d *stateDecoder) u64() uint64 {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 8 {
		d.fail("truncated")
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

func (d *stateDecoder) f64() float64 { return math.Float64frombits(d.u64()) }
func (d *stateDecoder) int() int     { return int(int64(d.u64())) }
func (d *stateDecoder) bool() bool {
	if d.err != nil {
		return false
	}
	if len(d.b) < 1 {
		d.fail("truncated")
		return false
	}
	if d.b[0] > 1 {
		// Only 0 and 1 are written; anything else is not a snapshot of ours.
		d.fail("bad bool byte")
		return false
	}
	v := d.b[0] == 1
	d.b = d.b[1:]
	return v
}
func (d *stateDecoder) str() string {
	n := d.int()
	if d.err != nil {
		return ""
	}
	if n < 0 || n > len(d.b) {
		d.fail("truncated")
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

// finish reports the first problem, or trailing bytes.
func (d *stateDecoder) finish() error {
	if d.err == nil && len(d.b) != 0 {
		d.fail("trailing bytes")
	}
	return d.err
}
