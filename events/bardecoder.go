package events

// barDecoderSlots is how many distinct (symbol, venue) strings a
// [BarDecoder] remembers. A market stream's shard interleaves a handful of
// series; sixteen covers that with a scan that stays in one or two cache
// lines, and a stream with more series still decodes correctly, only with an
// allocation on a miss.
const barDecoderSlots = 16

// BarDecoder decodes binary bar records like [DecodeBar] (and JSON ones like
// [DecodeBarJSON], with DecodeJSON), but reuses the
// Symbol and Venue strings of bars it decoded before when the bytes are the
// same, so that decoding a stream of a few series allocates only on the
// first bar of each (and on cache misses beyond its few slots). The decoded
// bars then share those strings with each other, which is harmless: strings
// are immutable.
//
// The zero value is ready to use. A BarDecoder is not safe for concurrent
// use; give each goroutine its own. It retains no part of the data passed to
// Decode.
type BarDecoder struct {
	slots [barDecoderSlots]string // symbol bytes followed by venue bytes
	n     int                     // slots in use
	next  int                     // where the scan starts: after the last hit
	evict int                     // the slot a miss replaces once all are used
}

// Decode decodes a binary bar record into *b with the same result and errors
// as [DecodeBar]: *b is overwritten, and left zero on error.
func (d *BarDecoder) Decode(data []byte, b *Bar) error { return decodeBar(data, b, d) }

// DecodeJSON decodes a JSON bar into *b with the same result and errors as
// [DecodeBarJSON], reusing the symbol and venue strings like Decode.
func (d *BarDecoder) DecodeJSON(data []byte, strict bool, b *Bar) error {
	return decodeBarJSON(data, strict, b, d)
}

// intern returns a string equal to key: a cached one when there is one,
// else a new one, which it caches. Streams interleave their series in a
// fixed rotation (merged by time), so the scan starts after the last hit,
// where the next series usually sits; a hit there costs one comparison.
func (d *BarDecoder) intern(key []byte) string {
	i := d.next
	for range d.n {
		if i >= d.n {
			i = 0
		}
		// string(key) in a comparison does not allocate.
		if d.slots[i] == string(key) {
			d.next = i + 1
			return d.slots[i]
		}
		i++
	}
	s := string(key)
	if d.n < barDecoderSlots {
		i = d.n
		d.n++
	} else {
		i = d.evict
		d.evict = (d.evict + 1) % barDecoderSlots
	}
	d.slots[i] = s
	d.next = i + 1
	return s
}
