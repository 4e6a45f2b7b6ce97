package feeds

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/shopspring/decimal"

	"github.com/candlewick-labs/candlewick/events"
)

// lookahead is how many rows are held back to infer the interval and the
// row order before the first bar reaches the sink.
const lookahead = 256

// pending is one parsed (or failed) bar candidate on its way to the sink.
type pending struct {
	pos    int    // line (1-based) or JSON element index (0-based)
	raw    []byte // the original bytes; owned once queued
	reason string // non-empty: reject with this reason
	skip   bool   // wide file: no bar for this coin in this row

	sym   string          // from a symbol column; "" = the file's symbol
	coin  bool            // sym is a wide file's coin: options do not override it
	venue string          // from a venue column; "" = the file's venue
	iv    events.Interval // from an interval column; 0 = the file's interval
	hint  events.Interval // close - open, when the row carries both
	t     time.Time       // open time, or the end when tEnd
	tEnd  bool
	full  bool       // bar is complete (JSONL): keep its close time
	bar   events.Bar // prices, volumes and trade count
}

type symState struct {
	sum       SymbolSummary
	have      bool
	last      time.Time
	lastClose time.Time
	// seen holds every imported bar's open time and content hash. Imported
	// bars are strictly ascending, so it is sorted by construction and a
	// repeated row is found by binary search.
	seen []seenBar
}

type seenBar struct {
	t int64 // open time, UnixNano
	h uint64
}

type importer struct {
	ctx     context.Context
	name    string
	opt     Options
	sink    Sink
	now     func() time.Time
	sum     Summary
	jsonIdx bool // positions are JSON element indexes

	// File-level defaults, highest precedence first: options, data, name.
	symbol, venue string
	iv            events.Interval
	dataSym       bool // symbol came from the data (JSON name)

	queue  []pending
	mode   int // modeLookahead, modeStream, modeBuffer
	syms   map[string]*symState
	order  []*symState
	rows   int
	cache  map[string]string          // symbol/venue text → canonical, to intern
	ivs    map[string]events.Interval // interval text → value
	nameIn NameInfo
}

const (
	modeLookahead = iota
	modeStream
	modeBuffer
)

func newImporter(ctx context.Context, name string, opt Options, sink Sink) *importer {
	im := &importer{ctx: ctx, name: name, opt: opt, sink: sink, now: opt.Now,
		syms: map[string]*symState{}, cache: map[string]string{}, ivs: map[string]events.Interval{}}
	if im.now == nil {
		im.now = time.Now
	}
	im.nameIn = ParseName(name)
	im.symbol, im.venue, im.iv = im.nameIn.Symbol, im.nameIn.Venue, im.nameIn.Interval
	if opt.Symbol != "" {
		im.symbol = NormalizeSymbol(opt.Symbol)
	}
	if opt.Venue != "" {
		im.venue = opt.Venue
	}
	if opt.Interval > 0 {
		im.iv = opt.Interval
	}
	im.sum.File = name
	return im
}

// setDataMeta applies what the data says about the whole file (a JSON
// "name"); it beats the file name and loses to the options.
func (im *importer) setDataMeta(info NameInfo) {
	if info.Symbol != "" && im.opt.Symbol == "" {
		im.symbol, im.dataSym = info.Symbol, true
	}
	if info.Venue != "" && im.opt.Venue == "" {
		im.venue = info.Venue
	}
	if info.Interval > 0 && im.opt.Interval == 0 && im.nameIn.Interval == 0 {
		im.iv = info.Interval
	}
}

func (im *importer) fatal(pos int, err error) error {
	line := 0
	if !im.jsonIdx {
		line = pos
	}
	return &ImportError{File: im.name, Line: line, Err: err}
}

// tick is called once per record; it checks for cancellation now and then.
func (im *importer) tick(pos int) error {
	im.rows++
	if im.rows&1023 == 0 {
		if err := im.ctx.Err(); err != nil {
			return im.fatal(pos, err)
		}
	}
	return nil
}

func (im *importer) push(p *pending) error {
	switch im.mode {
	case modeStream:
		return im.emit(p)
	case modeLookahead:
		p.raw = slices.Clone(p.raw)
		im.queue = append(im.queue, *p)
		if len(im.queue) >= lookahead {
			return im.decide()
		}
		return nil
	default:
		p.raw = slices.Clone(p.raw)
		im.queue = append(im.queue, *p)
		return nil
	}
}

// decide looks at the queued rows: it infers the interval if nothing else
// gave it, and whether the file runs newest-first. A newest-first file is
// buffered to the end; otherwise the queue drains and the rest streams.
func (im *importer) decide() error {
	prev := map[string]time.Time{}
	inc, dec := 0, 0
	steps := map[time.Duration]int{}
	hints := map[events.Interval]int{}
	for i := range im.queue {
		p := &im.queue[i]
		if p.reason != "" || p.skip {
			continue
		}
		if p.hint > 0 {
			hints[p.hint]++
		}
		key := p.sym
		if pt, ok := prev[key]; ok {
			d := p.t.Sub(pt)
			switch {
			case d > 0:
				inc++
				steps[d]++
			case d < 0:
				dec++
				steps[-d]++
			}
		}
		prev[key] = p.t
	}
	if im.iv == 0 {
		im.iv = events.Interval(mode(hints))
		if im.iv == 0 {
			im.iv = events.Interval(mode(steps))
		}
	}
	if dec > inc {
		im.mode = modeBuffer
		im.sum.Descending = true
		return nil
	}
	im.mode = modeStream
	q := im.queue
	im.queue = nil
	for i := range q {
		if err := im.emit(&q[i]); err != nil {
			return err
		}
	}
	return nil
}

// mode returns the most frequent key, the smallest among equals so that the
// result does not depend on map order.
func mode[K ~int64](m map[K]int) K {
	var best K
	n := 0
	for k, c := range m {
		if c > n || c == n && k < best {
			best, n = k, c
		}
	}
	return best
}

func (im *importer) finish() error {
	if im.mode == modeLookahead {
		if err := im.decide(); err != nil {
			return err
		}
	}
	if im.mode == modeBuffer {
		q := im.queue
		im.queue = nil
		// Newest-first files are reversed, then sorted by time (stably, so
		// repeated rows keep their order): CryptoDataDownload's hourly file
		// interleaves two runs of rows around 2017-11-12 whose times are
		// all distinct, which a plain reversal would leave out of order.
		slices.Reverse(q)
		slices.SortStableFunc(q, func(a, b pending) int { return a.t.Compare(b.t) })
		im.mode = modeStream
		for i := range q {
			if err := im.emit(&q[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

func (im *importer) state(sym string) *symState {
	st := im.syms[sym]
	if st == nil {
		st = &symState{sum: SymbolSummary{Symbol: sym}}
		im.syms[sym] = st
		im.order = append(im.order, st)
	}
	return st
}

func (im *importer) source(pos int) string {
	if im.jsonIdx {
		return im.name + ":#" + strconv.Itoa(pos)
	}
	return im.name + ":" + strconv.Itoa(pos)
}

func (im *importer) reject(p *pending, st *symState, reason string) error {
	im.sum.Rejected++
	if st != nil {
		st.sum.Rejected++
	}
	d := events.DeadLetter{Original: slices.Clone(p.raw), Reason: reason, Source: im.source(p.pos), Time: im.now()}
	if err := im.sink.Reject(d); err != nil {
		return im.fatal(p.pos, fmt.Errorf("%w: %w", ErrSink, err))
	}
	return nil
}

func (im *importer) emit(p *pending) error {
	sym := im.symbol
	if p.coin || im.opt.Symbol == "" && p.sym != "" {
		sym = p.sym
	}
	var st *symState
	if sym != "" {
		st = im.state(sym)
	}
	if p.skip {
		im.sum.Skipped++
		if st != nil {
			st.sum.Skipped++
		}
		return nil
	}
	if p.reason != "" {
		return im.reject(p, st, p.reason)
	}
	if st == nil {
		return im.fatal(p.pos, fmt.Errorf("%w: set a symbol option", ErrNoSymbol))
	}
	iv := im.iv
	if im.opt.Interval == 0 && p.iv > 0 {
		iv = p.iv
	}
	if iv <= 0 {
		return im.fatal(p.pos, fmt.Errorf("%w: set an interval option", ErrNoInterval))
	}
	b := &p.bar
	b.Symbol, b.Interval = sym, iv
	b.Venue = im.venue
	if im.opt.Venue == "" && p.venue != "" {
		b.Venue = p.venue
	}
	if p.full && im.opt.Interval == 0 {
		// A Candlewick bar keeps its own close time; Validate checks it
		// against the interval.
		b.OpenTime = p.t
	} else if p.tEnd {
		b.CloseTime = snapEnd(p.t)
		b.OpenTime = b.CloseTime.Add(-iv.Duration())
	} else {
		b.OpenTime = p.t
		b.CloseTime = p.t.Add(iv.Duration())
	}
	if !b.OpenTime.After(minTime) || !b.OpenTime.Before(maxTime) {
		return im.reject(p, st, "open time "+b.OpenTime.Format(time.RFC3339Nano)+" out of range")
	}
	key := b.OpenTime.UnixNano()
	h := contentHash(b)
	if st.have && !b.OpenTime.After(st.last) {
		i, ok := slices.BinarySearchFunc(st.seen, key, func(s seenBar, k int64) int {
			switch {
			case s.t < k:
				return -1
			case s.t > k:
				return 1
			}
			return 0
		})
		if ok {
			if st.seen[i].h == h {
				im.sum.Duplicates++
				st.sum.Duplicates++
				return nil
			}
			return im.reject(p, st, "conflicting duplicate: open time "+fmtTime(b.OpenTime)+" was imported before with different values")
		}
		return im.reject(p, st, "open time "+fmtTime(b.OpenTime)+" not after previous bar "+fmtTime(st.last))
	}
	if st.have && b.OpenTime.Before(st.lastClose) {
		return im.reject(p, st, "open time "+fmtTime(b.OpenTime)+" inside previous bar "+fmtTime(st.last)+" ("+iv.String()+")")
	}
	if reason := checkBar(b, p.full); reason != "" {
		return im.reject(p, st, reason)
	}
	st.seen = append(st.seen, seenBar{key, h})
	st.have, st.last, st.lastClose = true, b.OpenTime, b.CloseTime
	if st.sum.Imported == 0 {
		st.sum.First = b.OpenTime
	}
	st.sum.Last = b.OpenTime
	st.sum.Imported++
	im.sum.Imported++
	if im.sum.First.IsZero() || b.OpenTime.Before(im.sum.First) {
		im.sum.First = b.OpenTime
	}
	if b.OpenTime.After(im.sum.Last) {
		im.sum.Last = b.OpenTime
	}
	if err := im.sink.Bar(*b); err != nil {
		return im.fatal(p.pos, fmt.Errorf("%w: %w", ErrSink, err))
	}
	return nil
}

func fmtTime(t time.Time) string { return t.Format(time.RFC3339Nano) }

// contentHash folds a bar's values (not its symbol or time) into 64 bits
// to tell an identical repeated row from a conflicting one
// without keeping every bar. A collision (odds 2^-64 per pair) would count a
// conflicting row as a duplicate.
func contentHash(b *events.Bar) uint64 {
	h := uint64(14695981039346656037)
	mix := func(v uint64) {
		h ^= v
		h *= 0x9E3779B97F4A7C15 // a splitmix64-style multiply-xorshift round
		h ^= h >> 29
	}
	for _, f := range [...]events.Fixed{b.Open, b.High, b.Low, b.Close, b.Volume, b.QuoteVolume} {
		mix(uint64(f.Coef()))
		mix(uint64(f.Scale()))
	}
	mix(uint64(b.TradeCount))
	mix(uint64(b.Interval))
	flags := uint64(0)
	if b.HasQuoteVolume {
		flags |= 1
	}
	if b.HasTradeCount {
		flags |= 2
	}
	mix(flags)
	return h
}

// checkBar returns why b is not a valid bar, or "": the problems
// events.Bar.Validate reports (positive prices, low <= open, close <= high,
// non-negative volumes, ...), joined by "; " without the events prefix, so
// dead letters read like "high 10 below close 11".
func checkBar(b *events.Bar, full bool) string {
	if !full && plainlyValid(b) {
		return ""
	}
	err := b.Validate()
	if err == nil {
		return ""
	}
	var parts []string
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		var ve *events.ValidationError
		if errors.As(e, &ve) {
			parts = append(parts, ve.Problem)
		} else {
			parts = append(parts, e.Error())
		}
	}
	walk(err)
	return strings.Join(parts, "; ")
}

// plainlyValid is a fast path for bars this package built: their times are
// UTC, after 1970 and CloseTime - OpenTime == Interval by construction, so
// only the values need checking. It accepts nothing events.Bar.Validate
// rejects; whatever it does not accept goes to Validate for the verdict and
// its wording. (Validate formats its event key eagerly, two allocations per
// call, which would dominate an import's allocations.)
func plainlyValid(b *events.Bar) bool {
	return b.Symbol != "" && b.Interval > 0 && b.CloseTime.Before(maxTime) &&
		b.OpenTime.After(minTime) && b.CloseTime.Sub(b.OpenTime) == b.Interval.Duration() &&
		b.Open.Sign() > 0 && b.Close.Sign() > 0 && b.Low.Sign() > 0 &&
		b.Low.Cmp(b.Open) <= 0 && b.Low.Cmp(b.Close) <= 0 &&
		b.High.Cmp(b.Open) >= 0 && b.High.Cmp(b.Close) >= 0 && b.High.Cmp(b.Low) >= 0 &&
		b.Volume.Sign() >= 0 && (!b.HasQuoteVolume || b.QuoteVolume.Sign() >= 0) &&
		(!b.HasTradeCount || b.TradeCount >= 0)
}

// bstr views b as a string without copying, for parsers that do not keep
// their argument (events.ParseFixed, strconv, map lookups). The caller must
// not let the string outlive the next read into b.
func bstr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// parseRow fills p from the values of one bar, by role; names are the
// column names used in reasons.
func (im *importer) parseRow(p *pending, vals *[numRoles][]byte, names *[numRoles]string) {
	colName := func(r role) string {
		if names != nil && names[r] != "" {
			return names[r]
		}
		return r.String()
	}
	unit := im.opt.TimeUnit
	tv, ev := trimBytes(vals[roleTime]), trimBytes(vals[roleEnd])
	switch {
	case len(tv) > 0:
		t, err := parseTime(tv, unit)
		if err != nil {
			p.reason = fmt.Sprintf("bad time in column %s: %q", colName(roleTime), tv)
			return
		}
		p.t = t
		if len(ev) > 0 {
			if e, err := parseTime(ev, unit); err == nil {
				if d := snapEnd(e).Sub(t); d > 0 {
					p.hint = events.Interval(d)
				}
			}
		}
	case len(ev) > 0:
		t, err := parseTime(ev, unit)
		if err != nil {
			p.reason = fmt.Sprintf("bad time in column %s: %q", colName(roleEnd), ev)
			return
		}
		p.t, p.tEnd = t, true
	default:
		p.reason = "missing value in column " + colName(roleTime)
		return
	}
	for _, f := range [...]struct {
		r   role
		dst *events.Fixed
	}{{roleOpen, &p.bar.Open}, {roleHigh, &p.bar.High}, {roleLow, &p.bar.Low}, {roleClose, &p.bar.Close}} {
		v := trimBytes(vals[f.r])
		if len(v) == 0 {
			p.reason = "missing value in column " + colName(f.r)
			return
		}
		x, err := events.ParseFixed(bstr(v))
		if err != nil {
			p.reason = fmt.Sprintf("bad number in column %s: %q", colName(f.r), v)
			return
		}
		*f.dst = x
	}
	if v := vals[roleVolume]; v != nil { // nil: no volume column
		v = trimBytes(v)
		if len(v) == 0 {
			p.reason = "missing value in column " + colName(roleVolume)
			return
		}
		x, err := parseQuantity(bstr(v))
		if err != nil {
			p.reason = fmt.Sprintf("bad number in column %s: %q", colName(roleVolume), v)
			return
		}
		p.bar.Volume = x
	}
	if v := trimBytes(vals[roleQuoteVolume]); len(v) > 0 {
		x, err := parseQuantity(bstr(v))
		if err != nil {
			p.reason = fmt.Sprintf("bad number in column %s: %q", colName(roleQuoteVolume), v)
			return
		}
		p.bar.QuoteVolume, p.bar.HasQuoteVolume = x, true
	}
	if v := trimBytes(vals[roleTrades]); len(v) > 0 {
		n, err := strconv.ParseInt(bstr(v), 10, 64)
		if err != nil {
			p.reason = fmt.Sprintf("bad count in column %s: %q", colName(roleTrades), v)
			return
		}
		p.bar.TradeCount, p.bar.HasTradeCount = n, true
	}
	if v := trimBytes(vals[roleSymbol]); len(v) > 0 {
		s, ok := im.cache[bstr(v)]
		if !ok {
			k := string(v)
			s = NormalizeSymbol(k)
			im.cache[k] = s
		}
		p.sym = s
	}
	if v := trimBytes(vals[roleVenue]); len(v) > 0 {
		k := "venue:" + string(v)
		s, ok := im.cache[k]
		if !ok {
			s = toLower(string(v))
			im.cache[k] = s
		}
		p.venue = s
	}
	if v := trimBytes(vals[roleInterval]); len(v) > 0 {
		iv, ok := im.ivs[bstr(v)]
		if !ok {
			var err error
			k := string(v)
			if iv, err = events.ParseInterval(k); err != nil {
				p.reason = fmt.Sprintf("bad interval in column %s: %q", colName(roleInterval), v)
				return
			}
			im.ivs[k] = iv
		}
		p.iv = iv
	}
	if p.hint == 0 && p.iv > 0 {
		p.hint = p.iv
	}
}

func toLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// parseQuantity parses a volume. Prices must fit events.Fixed exactly (19
// significant digits), but exporters that went through float64 write volumes
// like 1404207588.9000000954 (freqtrade's XRP data); such a volume is rounded
// half-even to the 19 significant digits a Fixed holds instead of rejecting
// a real bar over float noise in its volume.
func parseQuantity(s string) (events.Fixed, error) {
	f, err := events.ParseFixed(s)
	if !errors.Is(err, events.ErrFixedRange) {
		return f, err
	}
	d, derr := decimal.NewFromString(s)
	if derr != nil {
		return f, err
	}
	intDigits := 0
	if ip := d.Abs().Truncate(0); !ip.IsZero() {
		intDigits = len(ip.String())
	}
	places := 19 - intDigits
	if places < 0 {
		return f, err
	}
	places = min(places, events.MaxScale)
	return events.FixedFromDecimal(d.RoundBank(int32(places)))
}
