package disk

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"

	"github.com/candlewick-labs/candlewick/eventlog"
)

// On-disk format constants. FROZEN: changing any of them makes existing logs
// unreadable; a new layout needs a new formatVersion (see the package doc).
const (
	segMagic      = "CNDLWLOG" // first 8 bytes of every segment
	formatVersion = 1          // segment format version

	segHeaderSize = 40 // bytes of the segment header
	hdrOffVersion = 8  // u32
	hdrOffFlags   = 12 // u32, reserved, 0
	hdrOffBase    = 16 // u64, sequence number of the segment's first record
	hdrOffCreated = 24 // i64, creation time, Unix nanoseconds (Config.Clock)
	hdrOffCRC     = 32 // u32, CRC-32C of bytes [0, 32)
	// bytes [36, 40) are reserved, 0

	frameHeaderSize = 8 // length u32 | crc32c u32
	// minPayload is seq u64 + flags u8 + key length + header count (1 byte
	// each at least).
	minPayload = 11

	flagEndOfBatch = 1 << 0 // payload flag: last record of its Append batch

	segSuffix     = ".seg"
	segNameDigits = 20
)

// castagnoli is the CRC-32C table; it is read-only after construction (the
// stdlib uses the SSE4.2/ARMv8 instructions for it).
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func segName(base int64) string { return fmt.Sprintf("%020d%s", base, segSuffix) }

// parseSegName returns the base sequence number encoded in a segment file
// name, or false if name is not a segment name.
func parseSegName(name string) (int64, bool) {
	if len(name) != segNameDigits+len(segSuffix) || name[segNameDigits:] != segSuffix {
		return 0, false
	}
	var n int64
	for i := 0; i < segNameDigits; i++ {
		c := name[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (1<<63-1-int64(c-'0'))/10 {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

func encodeSegHeader(base, created int64) []byte {
	h := make([]byte, segHeaderSize)
	copy(h, segMagic)
	binary.LittleEndian.PutUint32(h[hdrOffVersion:], formatVersion)
	binary.LittleEndian.PutUint64(h[hdrOffBase:], uint64(base))
	binary.LittleEndian.PutUint64(h[hdrOffCreated:], uint64(created))
	binary.LittleEndian.PutUint32(h[hdrOffCRC:], crc32.Checksum(h[:hdrOffCRC], castagnoli))
	return h
}

// decodeSegHeader checks a segment header and returns its base sequence
// number and creation time, or a reason it is bad.
func decodeSegHeader(h []byte) (base, created int64, reason string) {
	switch {
	case len(h) < segHeaderSize:
		return 0, 0, "short segment header"
	case string(h[:len(segMagic)]) != segMagic:
		return 0, 0, "bad magic number"
	case binary.LittleEndian.Uint32(h[hdrOffCRC:]) != crc32.Checksum(h[:hdrOffCRC], castagnoli):
		return 0, 0, "segment header checksum mismatch"
	case binary.LittleEndian.Uint32(h[hdrOffVersion:]) != formatVersion:
		return 0, 0, fmt.Sprintf("unsupported format version %d", binary.LittleEndian.Uint32(h[hdrOffVersion:]))
	case binary.LittleEndian.Uint32(h[hdrOffFlags:]) != 0 || binary.LittleEndian.Uint32(h[hdrOffCRC+4:]) != 0:
		// Reserved for later versions; the reserved tail is outside the
		// checksum, so a nonzero value is corruption.
		return 0, 0, "nonzero reserved header bytes"
	}
	base = int64(binary.LittleEndian.Uint64(h[hdrOffBase:]))
	if base < 0 {
		return 0, 0, "negative base sequence number"
	}
	return base, int64(binary.LittleEndian.Uint64(h[hdrOffCreated:])), ""
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

// payloadSize is the encoded payload size of r.
func payloadSize(r *eventlog.Record) int {
	n := 8 + 1 + uvarintLen(uint64(len(r.Key))) + len(r.Key) + uvarintLen(uint64(len(r.Headers))) + len(r.Value)
	for _, h := range r.Headers {
		n += uvarintLen(uint64(len(h.Key))) + len(h.Key) + uvarintLen(uint64(len(h.Value))) + len(h.Value)
	}
	return n
}

// appendFrame appends the frame of r (with sequence number seq and flags) to
// dst; size is payloadSize(r).
func appendFrame(dst []byte, r *eventlog.Record, seq int64, flags byte, size int) []byte {
	start := len(dst)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(size))
	dst = append(dst, 0, 0, 0, 0) // crc, filled in below
	dst = binary.LittleEndian.AppendUint64(dst, uint64(seq))
	dst = append(dst, flags)
	dst = binary.AppendUvarint(dst, uint64(len(r.Key)))
	dst = append(dst, r.Key...)
	dst = binary.AppendUvarint(dst, uint64(len(r.Headers)))
	for _, h := range r.Headers {
		dst = binary.AppendUvarint(dst, uint64(len(h.Key)))
		dst = append(dst, h.Key...)
		dst = binary.AppendUvarint(dst, uint64(len(h.Value)))
		dst = append(dst, h.Value...)
	}
	dst = append(dst, r.Value...)
	crc := crc32.Update(crc32.Update(0, castagnoli, dst[start:start+4]), castagnoli, dst[start+frameHeaderSize:])
	binary.LittleEndian.PutUint32(dst[start+4:], crc)
	return dst
}

// frameCRCOK reports whether the frame at the start of b (which holds at
// least frameHeaderSize+length bytes) has a matching checksum.
func frameCRCOK(b []byte, length int) bool {
	return frameCRCOKFrom(lengthCRC(b), b, length)
}

// lengthCRC returns the CRC-32C of the length field of the frame at the
// start of b: the checksum's running value before the payload.
func lengthCRC(b []byte) uint32 { return crc32.Update(0, castagnoli, b[:4]) }

// frameCRCOKFrom is frameCRCOK given lengthCRC(b), which depends on the
// length alone (so a reader can reuse it across frames of equal length).
func frameCRCOKFrom(lenCRC uint32, b []byte, length int) bool {
	want := binary.LittleEndian.Uint32(b[4:8])
	return crc32.Update(lenCRC, castagnoli, b[frameHeaderSize:frameHeaderSize+length]) == want
}

// uvarint is binary.Uvarint with the one-byte case (key lengths and header
// counts nearly always are) inline.
func uvarint(p []byte) (uint64, int) {
	if len(p) > 0 && p[0] < 0x80 {
		return uint64(p[0]), 1
	}
	return binary.Uvarint(p)
}

// decoder decodes payloads into a record whose slices alias the payload. It
// reuses its header slice and header-key strings between records so that a
// scan does not allocate per record.
type decoder struct {
	hdrs  []eventlog.Header
	hkeys []string // hkeys[i] is the last key string seen at header i
}

// decode decodes payload p into rec, returning its flags or a reason the
// payload is malformed.
func (d *decoder) decode(p []byte, rec *eventlog.Record) (flags byte, reason string) {
	if len(p) < minPayload {
		return 0, "payload too short"
	}
	rec.Seq = int64(binary.LittleEndian.Uint64(p))
	flags = p[8]
	if flags&^flagEndOfBatch != 0 {
		return 0, "unknown record flags"
	}
	p = p[9:]
	k, n := uvarint(p)
	if n <= 0 || k > uint64(len(p)-n) {
		return 0, "bad key length"
	}
	p = p[n:]
	if k == 0 {
		rec.Key = nil
	} else {
		rec.Key = p[:k:k]
	}
	p = p[k:]
	nh, n := uvarint(p)
	// Each header takes at least two bytes, which bounds the allocation below.
	if n <= 0 || nh > uint64(len(p)-n)/2 {
		return 0, "bad header count"
	}
	p = p[n:]
	if nh == 0 {
		if rec.Headers != nil { // a pointer write only when it changes
			rec.Headers = nil
		}
	} else {
		if cap(d.hdrs) < int(nh) {
			d.hdrs = make([]eventlog.Header, nh)
		}
		if len(d.hkeys) < int(nh) {
			d.hkeys = append(d.hkeys, make([]string, int(nh)-len(d.hkeys))...)
		}
		hs := d.hdrs[:nh]
		for i := range hs {
			kl, n := binary.Uvarint(p)
			if n <= 0 || kl > uint64(len(p)-n) {
				return 0, "bad header key length"
			}
			kb := p[n : n+int(kl)]
			p = p[n+int(kl):]
			// Header keys repeat from record to record; reusing the string
			// avoids an allocation (the comparison does not allocate).
			if d.hkeys[i] != string(kb) {
				d.hkeys[i] = string(kb)
			}
			vl, n := binary.Uvarint(p)
			if n <= 0 || vl > uint64(len(p)-n) {
				return 0, "bad header value length"
			}
			var v []byte
			if vl > 0 {
				v = p[n : n+int(vl) : n+int(vl)]
			}
			p = p[n+int(vl):]
			hs[i] = eventlog.Header{Key: d.hkeys[i], Value: v}
		}
		rec.Headers = hs[:nh:nh]
	}
	if len(p) == 0 {
		rec.Value = nil
	} else {
		rec.Value = p[:len(p):len(p)]
	}
	return flags, ""
}
