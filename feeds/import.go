package feeds

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// progressEvery is how many input bytes pass between Progress calls.
const progressEvery = 256 << 10

// ImportFile imports the bar file at path; see [Import].
func ImportFile(ctx context.Context, path string, opt Options, sink Sink) (Summary, error) {
	f, err := os.Open(path)
	if err != nil {
		return Summary{File: path}, &ImportError{File: path, Err: err}
	}
	defer f.Close()
	size := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	return importFrom(ctx, f, path, size, opt, sink)
}

// Import reads bars from r, sending each bar and each rejected row to sink
// in order, and returns what it did. name is used for format detection, for
// symbol, venue and interval (see [ParseName]) and in dead-letter sources; it
// need not exist on disk.
//
// Rejected rows are not errors. The error, an [*ImportError], is fatal: an
// unreadable or truncated input (the bars before the damage are still
// delivered), an undetectable format (ErrUnknownFormat), no data (ErrEmpty),
// missing columns (ErrColumns), no symbol or interval (ErrNoSymbol,
// ErrNoInterval), a sink error (ErrSink) or the context's error. The Summary
// counts what happened up to that point.
//
// Import reads r sequentially with a bounded look-ahead, except for
// newest-first files, which are held in memory (as parsed bars) to be
// re-ordered. It is safe to run several imports concurrently.
func Import(ctx context.Context, r io.Reader, name string, opt Options, sink Sink) (Summary, error) {
	size := int64(-1)
	if s, ok := r.(interface{ Size() int64 }); ok {
		size = s.Size()
	}
	return importFrom(ctx, r, name, size, opt, sink)
}

type countReader struct {
	r        io.Reader
	n, next  int64
	total    int64
	progress func(int64, int64)
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.progress != nil && c.n >= c.next {
		c.progress(c.n, c.total)
		c.next = c.n + progressEvery
	}
	return n, err
}

func importFrom(ctx context.Context, r io.Reader, name string, size int64, opt Options, sink Sink) (Summary, error) {
	fail := func(err error) (Summary, error) {
		return Summary{File: name, Format: opt.Format}, &ImportError{File: name, Err: err}
	}
	if _, err := ParseFormat(string(opt.Format)); err != nil {
		return fail(err)
	}
	if !opt.TimeUnit.valid() {
		return fail(fmt.Errorf("%w: time unit %q", ErrOption, opt.TimeUnit))
	}
	if opt.Interval < 0 {
		return fail(fmt.Errorf("%w: negative interval", ErrOption))
	}
	if sink == nil {
		sink = SinkFuncs{}
	}
	cr := &countReader{r: r, total: size, progress: opt.Progress}
	br := bufio.NewReaderSize(cr, 64<<10)
	if magic, _ := br.Peek(2); bytes.Equal(magic, gzipMagic) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fail(fmt.Errorf("gzip: %w", err))
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 64<<10)
	}
	head, err := br.Peek(16 << 10)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return fail(fmt.Errorf("read: %w", err))
	}
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
		head = head[3:]
	}
	dname := name
	if strings.HasSuffix(strings.ToLower(dname), ".gz") {
		dname = dname[:len(dname)-3]
	}
	format, forced := opt.Format, opt.Format != FormatAuto
	if !forced {
		f, err := detectContent(dname, head)
		if err != nil {
			return fail(err)
		}
		format = f
	}
	im := newImporter(ctx, name, opt, sink)
	switch {
	case format.isCSV():
		err = im.runCSV(&lineReader{br: br}, format, forced)
	case format == FormatJSONL:
		err = im.runJSONL(&lineReader{br: br})
	default:
		err = im.runJSON(br, format)
	}
	if err == nil || !errors.Is(err, ErrSink) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		// Deliver what was read before a damaged tail.
		if ferr := im.finish(); ferr != nil && err == nil {
			err = ferr
		}
	}
	if im.sum.Format == FormatAuto {
		im.sum.Format = format
	}
	im.sum.Venue, im.sum.Interval = im.venue, im.iv
	if opt.Interval > 0 {
		im.sum.Interval = opt.Interval
	}
	for _, st := range im.order {
		im.sum.Symbols = append(im.sum.Symbols, st.sum)
	}
	if opt.Progress != nil {
		opt.Progress(cr.n, size)
	}
	return im.sum, err
}
