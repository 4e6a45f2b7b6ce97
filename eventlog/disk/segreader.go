package disk

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/candlewick-labs/candlewick/eventlog"
)

// readBufSize is the initial read buffer of a segment reader: large enough
// to amortise ReadAt calls over thousands of small records.
const readBufSize = 256 << 10

// segReader decodes frames of one segment file up to a byte limit, through a
// buffer it refills with ReadAt. Decoded records alias the buffer until the
// next call. It is not safe for concurrent use.
type segReader struct {
	f      File
	limit  int64 // bytes of the file that may be read
	buf    []byte
	bufOff int64 // file offset of buf[0]
	r, w   int   // buf[r:w] holds unread bytes
	dec    decoder

	// The CRC-32C of the latest frame's 4 length bytes, the first part of
	// every frame checksum: records of one stream mostly share a handful of
	// lengths, so a one-entry cache saves a crc32.Update call on most frames
	// (crcLen below minPayload, as in the zero value: empty).
	crcLen    int64
	crcLenSum uint32
}

func (sr *segReader) reset(f File, off, limit int64) {
	sr.f, sr.limit, sr.bufOff, sr.r, sr.w = f, limit, off, 0, 0
	sr.crcLen = -1
	if sr.buf == nil {
		sr.buf = make([]byte, readBufSize)
	}
}

// offset is the file offset of the next frame.
func (sr *segReader) offset() int64 { return sr.bufOff + int64(sr.r) }

// fill makes buf[r:] hold at least need bytes; the caller has checked that
// they lie below limit.
func (sr *segReader) fill(need int) error {
	if sr.w-sr.r >= need {
		return nil
	}
	if sr.r > 0 {
		sr.w = copy(sr.buf, sr.buf[sr.r:sr.w])
		sr.bufOff += int64(sr.r)
		sr.r = 0
	}
	if need > len(sr.buf) {
		nb := make([]byte, max(need, 2*len(sr.buf)))
		copy(nb, sr.buf[:sr.w])
		sr.buf = nb
	}
	for sr.w < need {
		n := min(int64(len(sr.buf)-sr.w), sr.limit-(sr.bufOff+int64(sr.w)))
		if n <= 0 {
			return io.ErrUnexpectedEOF
		}
		m, err := sr.f.ReadAt(sr.buf[sr.w:sr.w+int(n)], sr.bufOff+int64(sr.w))
		sr.w += m
		if err != nil && (err != io.EOF || m == 0) {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF // the file is shorter than its committed size
			}
			return err
		}
	}
	return nil
}

// next decodes the frame at offset() into rec. At limit it returns io.EOF.
// A bad frame gives a non-empty reason and leaves offset() at the frame; an
// I/O failure returns err.
func (sr *segReader) next(rec *eventlog.Record) (flags byte, reason string, err error) {
	rem := sr.limit - sr.offset()
	if rem <= 0 {
		return 0, "", io.EOF
	}
	if rem < frameHeaderSize {
		return 0, "truncated frame header", nil
	}
	// The buffer nearly always holds the frame already: the checks before
	// each fill keep the call (too big to inline) off that path.
	if sr.w-sr.r < frameHeaderSize {
		if err := sr.fill(frameHeaderSize); err != nil {
			return 0, "", err
		}
	}
	length := int64(binary.LittleEndian.Uint32(sr.buf[sr.r:]))
	switch {
	case length < minPayload:
		return 0, fmt.Sprintf("frame length %d below the minimum of %d", length, minPayload), nil
	case length > MaxRecordSizeLimit:
		return 0, fmt.Sprintf("frame length %d over the limit of %d", length, MaxRecordSizeLimit), nil
	case frameHeaderSize+length > rem:
		return 0, fmt.Sprintf("frame length %d extends past the end of the segment", length), nil
	}
	n := frameHeaderSize + int(length)
	if sr.w-sr.r < n {
		if err := sr.fill(n); err != nil {
			return 0, "", err
		}
	}
	frame := sr.buf[sr.r : sr.r+n]
	if length != sr.crcLen {
		sr.crcLen, sr.crcLenSum = length, lengthCRC(frame)
	}
	if !frameCRCOKFrom(sr.crcLenSum, frame, int(length)) {
		return 0, "checksum mismatch", nil
	}
	flags, reason = sr.dec.decode(frame[frameHeaderSize:], rec)
	if reason != "" {
		return 0, reason, nil
	}
	sr.r += n
	return flags, "", nil
}

// validFrameIn reports whether b holds a well-formed frame (checksum and
// payload) at any offset: the test that tells a torn tail (garbage to the
// end) from corruption followed by valid data.
func validFrameIn(b []byte) bool {
	var d decoder
	var rec eventlog.Record
	for p := 0; p+frameHeaderSize+minPayload <= len(b); p++ {
		length := int(binary.LittleEndian.Uint32(b[p:]))
		if length < minPayload || length > len(b)-p-frameHeaderSize {
			continue
		}
		if !frameCRCOK(b[p:], length) {
			continue
		}
		if _, reason := d.decode(b[p+frameHeaderSize:p+frameHeaderSize+length], &rec); reason == "" {
			return true
		}
	}
	return false
}
