package engine

import (
	"errors"
	"fmt"
	"slices"
	"time"
	"unsafe"

	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/indicators"
	"github.com/candlewick-labs/candlewick/strategies"
)

// Errors returned by the engine. Match them with errors.Is.
var (
	// ErrRejected is matched by the error Apply returns for a bar it refuses
	// (a [*RejectError]): invalid, or not after the previous bar of its
	// series. Nothing changed; the caller dead-letters the bar and goes on.
	ErrRejected = errors.New("engine: bar rejected")
	// ErrConfig is matched by every problem New reports in a [Config].
	ErrConfig = errors.New("engine: invalid config")
	// ErrSnapshot is matched by the error UnmarshalBinary returns for a
	// snapshot that is corrupt, truncated, of an unknown version, or taken
	// from a Core with another configuration (a [*SnapshotError]).
	ErrSnapshot = errors.New("engine: bad snapshot")
	// ErrStrategy is returned by Apply when a strategy cannot be built for a
	// new series (its Def.New failed there although it succeeded in New).
	// The bar was not applied.
	ErrStrategy = errors.New("engine: strategy failed")
)

// RejectError says why Apply refused a bar. It matches [ErrRejected] and,
// for a bar that failed validation, the validation errors (events.ErrInvalid).
type RejectError struct {
	Reason string // what is wrong, e.g. "open time 2021-01-01T00:00:00Z not after the previous bar's"
	Err    error  // the validation error, or nil
}

// Error returns "engine: bar rejected: " and the reason.
func (e *RejectError) Error() string { return "engine: bar rejected: " + e.Reason }

// Unwrap returns ErrRejected and the validation error, if any.
func (e *RejectError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrRejected, e.Err}
	}
	return []error{ErrRejected}
}

// Instance is one configured strategy: a Def with bound parameters, on some
// symbols and input intervals.
type Instance struct {
	// Name identifies the instance in signals and IDs; unique within a
	// Config. Default: Def.Name.
	Name string
	// Def is the strategy definition; Def.New builds one strategy per symbol.
	Def strategies.Def
	// Params are the bound parameters (strategies.Bind).
	Params strategies.Params
	// Symbols the instance runs on; empty means every symbol.
	Symbols []string
	// Intervals are the input intervals (series) it runs on; empty means
	// every one.
	Intervals []events.Interval
}

// Config configures [New]. The zero value is a Core without strategies (it
// tracks positions only).
type Config struct {
	// Indicators builds the indicators strategies declare. Default: a
	// registry with TA-Lib's default settings.
	Indicators *indicators.Registry
	// Strategies are the instances to run, in the order they are called.
	Strategies []Instance
	// Provisional enables the evaluation of forming higher-timeframe bars
	// (see the package documentation). Default false.
	Provisional bool
}

// maxHistory bounds Needs.History so that a strategy cannot make the engine
// allocate without limit; a year of minute bars is far more than any rule
// reads back.
const maxHistory = 1 << 20

// Validate reports every problem of c at once (joined with errors.Join), each
// matching [ErrConfig]: duplicate or empty instance names, a Def without New,
// and, by building each instance once, strategies that fail to build or
// declare invalid timeframes, history or indicator specs.
func (c Config) Validate() error {
	_, err := resolve(c)
	return err
}

// instance is a resolved Instance.
type instance struct {
	name, version, hash string
	params              []events.Param
	def                 strategies.Def
	p                   strategies.Params
	symbols             []string
	intervals           []events.Interval
}

func (in *instance) matches(symbol string, iv events.Interval) bool {
	return (len(in.symbols) == 0 || slices.Contains(in.symbols, symbol)) &&
		(len(in.intervals) == 0 || slices.Contains(in.intervals, iv))
}

func configErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...)
}

// resolve applies defaults to a copy of c and checks it.
func resolve(c Config) (Config, error) { return resolveWith(c, nil) }

// resolveWith is resolve with the caches of u (nil: none), which also
// keeps in u.built the strategy it builds for each instance (see [reuse]).
func resolveWith(c Config, u *reuse) (Config, error) {
	var errs []error
	if c.Indicators == nil {
		reg, err := indicators.DefaultRegistry()
		if err != nil {
			return c, configErr("indicator registry: %w", err)
		}
		c.Indicators = reg
	}
	var seen map[string]bool
	if u != nil {
		u.useRegistry(c.Indicators)
		u.insts = append(u.insts[:0], c.Strategies...)
		c.Strategies = u.insts
		if u.seen == nil {
			u.seen = make(map[string]bool, len(c.Strategies))
		}
		clear(u.seen)
		seen = u.seen
		clear(u.built)
		u.built = u.built[:0]
		for range c.Strategies {
			u.built = append(u.built, nil)
		}
	} else {
		c.Strategies = slices.Clone(c.Strategies)
		seen = make(map[string]bool, len(c.Strategies))
	}
	for i := range c.Strategies {
		in := &c.Strategies[i]
		if in.Name == "" {
			in.Name = in.Def.Name
		}
		switch {
		case in.Name == "":
			errs = append(errs, configErr("strategy %d has no name", i))
			continue
		case seen[in.Name]:
			errs = append(errs, configErr("strategy name %q used twice", in.Name))
			continue
		case in.Def.New == nil:
			errs = append(errs, configErr("strategy %q: Def %q has no New", in.Name, in.Def.Name))
			continue
		}
		seen[in.Name] = true
		for _, iv := range in.Intervals {
			if iv <= 0 {
				errs = append(errs, configErr("strategy %q: interval %v is not positive", in.Name, time.Duration(iv)))
			}
		}
		// Build one strategy to check what it declares now rather than on
		// the first bar of every series.
		st, err := in.Def.New(in.Params)
		if err != nil {
			errs = append(errs, configErr("strategy %q: %w", in.Name, err))
			continue
		}
		if st == nil {
			errs = append(errs, configErr("strategy %q: Def.New returned nil", in.Name))
			continue
		}
		errs = append(errs, checkNeeds(c.Indicators, u, in.Name, st.Needs())...)
		if u != nil {
			u.built[i] = st
		}
	}
	return c, errors.Join(errs...)
}

func checkNeeds(reg *indicators.Registry, u *reuse, name string, n strategies.Needs) []error {
	var errs []error
	for _, tf := range n.Timeframes {
		if tf < 0 {
			errs = append(errs, configErr("strategy %q: timeframe %v is negative", name, time.Duration(tf)))
		}
	}
	if n.History < 0 || n.History > maxHistory {
		errs = append(errs, configErr("strategy %q: history %d outside [0, %d]", name, n.History, maxHistory))
	}
	for i, need := range n.Indicators {
		if need.Timeframe < 0 {
			errs = append(errs, configErr("strategy %q: indicator %d: timeframe %v is negative", name, i, time.Duration(need.Timeframe)))
		}
		if _, err := u.parse(reg, need.Spec); err != nil {
			errs = append(errs, configErr("strategy %q: indicator %d: %w", name, i, err))
		}
	}
	return errs
}

// seriesKey identifies a series: a symbol at an input interval.
type seriesKey struct {
	symbol string
	iv     events.Interval
}

// Core is the deterministic engine state machine: bars in, signals out. Build
// it with [New]. A Core is not safe for concurrent use; it is meant to be
// owned by one goroutine.
type Core struct {
	reg         *indicators.Registry
	insts       []instance
	provisional bool
	fingerprint [32]byte // of the configuration, checked by UnmarshalBinary (see configFP)
	fpOK        bool     // fingerprint is computed: it is only needed for snapshots

	series []*series // in order of first appearance
	index  map[seriesKey]int
	guess  int // where lookup starts: after the series of the previous bar

	pos    events.Position
	hasPos bool

	// Scratch, reused across calls so that Apply does not allocate.
	decs    []strategies.Decision
	arena   signalArena // the memory of the signals' slices and IDs
	idHash  idHasher    // SHA-256 of signal IDs from a cached midstate (see idPrefix); nil until needed
	idSum   []byte      // its Sum output
	idBuf   []byte      // its input
	applies uint64      // Apply calls that reached step (see run.seq)
	stats   Stats

	// transient: signals' Indicators and IDs are valid until the next
	// Apply only (see ReuseSignalMemory).
	transient bool
	// reuse is what Reset keeps from one configuration for the next.
	reuse reuse
}

// Stats counts what a Core did since New (they are not part of snapshots).
type Stats struct {
	Bars     int64 // bars applied
	Rejected int64 // bars refused with ErrRejected
	Signals  int64 // signals emitted (confirmed and provisional)
	// Dropped counts decisions that could not become a valid signal (an
	// undeclared kind, or an indicator value that was not finite).
	Dropped int64
}

// New returns a Core for cfg, after applying defaults to its copy and
// validating it (see [Config.Validate]); the error matches [ErrConfig].
func New(cfg Config) (*Core, error) {
	c := &Core{index: map[seriesKey]int{}, arena: signalArena{chunk: arenaChunk}}
	if err := c.Reset(cfg); err != nil {
		return nil, err
	}
	return c, nil
}

// Position returns the position of the last input applied (or skipped, see
// [Core.Skip]), and false before the first.
func (c *Core) Position() (events.Position, bool) { return c.pos, c.hasPos }

// Skip records that the input at pos was consumed without being applied (it
// could not be decoded, or Apply rejected it and it was dead-lettered), so
// that Position and snapshots cover it and a restart does not see it again.
func (c *Core) Skip(pos events.Position) { c.pos, c.hasPos = pos, true }

// Stats returns the counters.
func (c *Core) Stats() Stats { return c.stats }

// Apply consumes one bar, the input event at pos, in stream order, and
// appends the signals it causes to out and returns it: first those of
// partial bars a gap completed, then those of the bars this bar closed
// (ascending timeframe, then instance order), then provisional ones. out is
// owned by the caller. The signals' Indicators and IDs share no memory with
// the Core or with each other (they are carved from blocks the Core
// allocates now and then rather than per signal: disjoint pieces,
// capacity-clipped, never written again by the Core). Params is the
// instance's parameter list, shared by all its signals and read-only:
// appending to it copies (it is capacity-clipped), writing its elements in
// place is not allowed. Sharing it rather than copying it per signal halves
// the bytes a replay allocates. (With [Core.ReuseSignalMemory] on, the
// Indicators and IDs are valid only until the next call instead.)
//
// A bar that fails validation, or whose open time is not after that of the
// previous bar of its series, gives an error matching [ErrRejected] and
// changes nothing. An error matching [ErrStrategy] means a strategy could
// not be built for the bar's new series; the bar was not applied either.
func (c *Core) Apply(pos events.Position, b *events.Bar, out []events.Signal) ([]events.Signal, error) {
	if c.transient {
		c.arena.rewind() // the previous call's signals are consumed
	}
	if b == nil {
		c.stats.Rejected++
		return out, &RejectError{Reason: "no bar"}
	}
	// The series is looked up before validation, which needs it to skip
	// checks of strings it has seen pass; an invalid bar still fails
	// validation first, and changes nothing.
	s := c.lookup(b.Symbol, b.Interval)
	// Symbol and venue are the very strings of a bar of this series that
	// passed validation (events.BarDecoder hands out the same strings): their
	// checks, which depend on the strings alone, would pass again.
	seen := s != nil && sameData(s.symbol, b.Symbol) && sameData(s.venue, b.Venue)
	if (!seen && !plainText(b)) || !plainNumbers(b) {
		// The fast check is conservative: Validate has the final word (and
		// the message).
		if err := b.Validate(); err != nil {
			c.stats.Rejected++
			return out, &RejectError{Reason: err.Error(), Err: err}
		}
	}
	ot := b.OpenTime.UnixNano()
	if s != nil {
		if ot <= s.lastOpen {
			c.stats.Rejected++
			return out, &RejectError{Reason: "bar " + b.Symbol + " " + b.Interval.String() + " open time " +
				b.OpenTime.Format(time.RFC3339Nano) + " not after the previous bar's " +
				time.Unix(0, s.lastOpen).UTC().Format(time.RFC3339Nano)}
		}
	} else {
		var err error
		if s, err = c.newSeries(b.Symbol, b.Interval); err != nil {
			return out, err
		}
		c.index[seriesKey{s.symbol, s.iv}] = len(c.series)
		c.series = append(c.series, s)
	}
	out = c.step(s, pos, b, ot, out)
	s.lastOpen = ot
	if !seen {
		s.symbol, s.venue = b.Symbol, b.Venue
	}
	// The stream is nearly always the very string of the previous call:
	// storing it again would be a pointer write (a write barrier while the
	// GC is marking) on every bar.
	if !sameData(c.pos.Stream, pos.Stream) {
		c.pos.Stream = pos.Stream
	}
	c.pos.Partition, c.pos.Offset, c.hasPos = pos.Partition, pos.Offset, true
	c.stats.Bars++
	return out, nil
}

// lookup returns the series of (symbol, iv), or nil. A market stream holds
// a handful of series per shard, where comparing a few strings beats hashing
// one; the map takes over beyond that. Streams merged by time interleave
// their series in a fixed rotation, so the scan starts after the series of
// the previous bar: usually the first comparison hits. The symbol strings
// usually share their bytes too (events.BarDecoder reuses them), so a hit
// costs a pointer comparison rather than a byte comparison.
func (c *Core) lookup(symbol string, iv events.Interval) *series {
	n := len(c.series)
	if n <= 8 {
		i := c.guess
		for range n {
			if i >= n {
				i = 0
			}
			if s := c.series[i]; s.iv == iv && sameString(s.symbol, symbol) {
				c.guess = i + 1
				return s
			}
			i++
		}
		return nil
	}
	if i, ok := c.index[seriesKey{symbol, iv}]; ok {
		return c.series[i]
	}
	return nil
}

// sameData reports whether a and b are the same string: the same bytes in
// memory and the same length (so certainly equal; "" is the same as "").
func sameData(a, b string) bool {
	return len(a) == len(b) && (len(a) == 0 || unsafe.StringData(a) == unsafe.StringData(b))
}

// sameString is a == b, deciding without reading the bytes when both are
// the same string (the same bytes and length).
func sameString(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	return unsafe.StringData(a) == unsafe.StringData(b) || a == b
}

// plainValid reports whether b is certainly valid, as Validate would find
// it, by the cheapest checks: the common case of an ASCII symbol, UTC times
// of a positive interval, and prices whose high and low bound the rest.
// False means "ask Validate", not "invalid".
func plainValid(b *events.Bar) bool { return plainText(b) && plainNumbers(b) }

// plainText is plainValid's check of the symbol and venue, which depends on
// those strings alone.
func plainText(b *events.Bar) bool {
	return b.Symbol != "" && asciiPrintable(b.Symbol) && asciiPrintable(b.Venue)
}

// plainNumbers is plainValid's check of everything but the strings.
func plainNumbers(b *events.Bar) bool {
	if b.Interval <= 0 {
		return false
	}
	if b.OpenTime.Location() != time.UTC || b.CloseTime.Location() != time.UTC {
		return false
	}
	// Validate's range is the years 1678..2262, what int64 Unix ns hold;
	// 1700..2200 keeps well inside it without calendar arithmetic.
	ot, ct := b.OpenTime.Unix(), b.CloseTime.Unix()
	const lo, hi = -8520336000, 7258118400 // 1700-01-01, 2200-01-01
	if ot < lo || ct > hi || ot >= ct {
		return false
	}
	// Inside that range UnixNano is exact and the difference cannot
	// overflow, so it equals CloseTime.Sub(OpenTime) at a fraction of the
	// cost.
	if b.CloseTime.UnixNano()-b.OpenTime.UnixNano() != int64(b.Interval.Duration()) {
		return false
	}
	if b.Low.Sign() <= 0 || b.Volume.Sign() < 0 ||
		(b.HasQuoteVolume && b.QuoteVolume.Sign() < 0) || (b.HasTradeCount && b.TradeCount < 0) {
		return false
	}
	// high >= low follows from low <= open <= high: four comparisons.
	h, l := b.High, b.Low
	return h.Cmp(b.Open) >= 0 && h.Cmp(b.Close) >= 0 &&
		l.Cmp(b.Open) <= 0 && l.Cmp(b.Close) <= 0
}

func asciiPrintable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// Series describes one series the Core tracks.
type Series struct {
	Symbol   string
	Interval events.Interval // the input interval
	// Timeframes resampled (ascending; the input interval first if used).
	Timeframes []events.Interval
	// Indicators built, one per (timeframe, normalised spec), named
	// "<timeframe>:<spec>".
	Indicators []string
	// Strategies are the instances running on the series, in config order.
	Strategies []string
	// Excluded names the instances that match the series but cannot run on
	// it, with the reason (a timeframe that is not a whole multiple of the
	// input interval).
	Excluded []string
}

// Series returns what the Core tracks, one entry per series in order of
// first appearance, in new slices.
func (c *Core) Series() []Series {
	out := make([]Series, 0, len(c.series))
	for _, s := range c.series {
		d := Series{Symbol: s.symbol, Interval: s.iv, Excluded: slices.Clone(s.excluded)}
		for _, f := range s.frames {
			d.Timeframes = append(d.Timeframes, f.tf)
			for _, ind := range f.inds {
				d.Indicators = append(d.Indicators, f.tf.String()+":"+ind.name)
			}
		}
		for _, r := range s.runs {
			d.Strategies = append(d.Strategies, c.insts[r.inst].name)
		}
		out = append(out, d)
	}
	return out
}

// newSeries builds the state of a new series: one strategy per matching
// instance, the frames their timeframes need and the shared indicators.
func (c *Core) newSeries(symbol string, iv events.Interval) (*series, error) {
	s := &series{symbol: symbol, iv: iv, lastOpen: minTime}
	type pending struct {
		inst  int
		strat strategies.Strategy
		needs strategies.Needs
	}
	var ps []pending
	var tfs []events.Interval
	resolveTF := func(tf events.Interval) events.Interval {
		if tf == 0 {
			return iv
		}
		return tf
	}
	for i := range c.insts {
		in := &c.insts[i]
		if !in.matches(symbol, iv) {
			continue
		}
		st := c.reuse.takeBuilt(i)
		if st == nil {
			var err error
			st, err = in.def.New(in.p)
			if err != nil || st == nil {
				return nil, fmt.Errorf("%w: %q on %s %s: %v", ErrStrategy, in.name, symbol, iv, err)
			}
		}
		n := st.Needs()
		if len(n.Timeframes) == 0 {
			n.Timeframes = []events.Interval{0}
		}
		bad := ""
		for _, tf := range n.Timeframes {
			if r := resolveTF(tf); r < iv || r%iv != 0 {
				bad = r.String()
			}
		}
		for _, need := range n.Indicators {
			if r := resolveTF(need.Timeframe); r < iv || r%iv != 0 {
				bad = r.String()
			}
		}
		if bad != "" {
			s.excluded = append(s.excluded, in.name+": timeframe "+bad+" is not a whole multiple of "+iv.String())
			continue
		}
		if len(checkNeeds(c.reg, &c.reuse, in.name, n)) > 0 {
			return nil, fmt.Errorf("%w: %q on %s %s: declares other needs than when configured", ErrStrategy, in.name, symbol, iv)
		}
		ps = append(ps, pending{i, st, n})
		for _, tf := range n.Timeframes {
			tfs = append(tfs, resolveTF(tf))
		}
		for _, need := range n.Indicators {
			tfs = append(tfs, resolveTF(need.Timeframe))
		}
	}
	slices.Sort(tfs)
	tfs = slices.Compact(tfs)
	for _, tf := range tfs {
		s.frames = append(s.frames, &frame{tf: tf, tfText: tf.String(), input: tf == iv, week: tf%events.Week == 0})
	}
	frameOf := func(tf events.Interval) int {
		i, _ := slices.BinarySearch(tfs, tf)
		return i
	}
	for _, p := range ps {
		hist := p.needs.History
		if hist == 0 {
			hist = 2
		}
		r := &run{inst: p.inst, strat: p.strat, hist: hist}
		r.stateful, _ = p.strat.(strategies.Stateful)
		for _, tf := range p.needs.Timeframes {
			fi := frameOf(resolveTF(tf))
			if slices.Contains(r.frames, fi) {
				continue
			}
			r.frames = append(r.frames, fi)
			f := s.frames[fi]
			f.runs = append(f.runs, len(s.runs))
			f.hist = max(f.hist, hist)
		}
		for _, need := range p.needs.Indicators {
			pe, err := c.reuse.parse(c.reg, need.Spec)
			if err != nil {
				return nil, fmt.Errorf("%w: %q: %v", ErrStrategy, c.insts[p.inst].name, err)
			}
			spec := pe.spec
			tf := resolveTF(need.Timeframe)
			fi := frameOf(tf)
			f := s.frames[fi]
			name := pe.name
			ii := slices.IndexFunc(f.inds, func(x *indState) bool { return x.name == name })
			if ii < 0 {
				ind, err := c.reuse.indicator(c.reg, spec, name)
				if err != nil {
					return nil, fmt.Errorf("%w: %q: %v", ErrStrategy, c.insts[p.inst].name, err)
				}
				ii = len(f.inds)
				is := &indState{name: name, ind: ind, nOut: len(ind.Outputs())}
				if is.nOut > 1 {
					is.vr, _ = ind.(indicators.ValuesReader)
				}
				f.inds = append(f.inds, is)
			}
			is := f.inds[ii]
			is.hist = max(is.hist, hist)
			ref := needRef{frame: fi, ind: ii, is: is}
			prefix := ""
			if tf != iv {
				prefix = tf.String() + ":"
			}
			outs := spec.Def.Outputs
			if spec.Output >= 0 {
				ref.outs = []int{spec.Output}
				r.names = append(r.names, prefix+name+"."+outs[spec.Output])
			} else if len(outs) == 1 {
				ref.outs = []int{0}
				r.names = append(r.names, prefix+name)
			} else {
				for o, on := range outs {
					ref.outs = append(ref.outs, o)
					r.names = append(r.names, prefix+name+"."+on)
				}
			}
			if len(ref.outs) <= len(ref.out) {
				for k, o := range ref.outs {
					ref.out[k] = int32(o)
				}
				ref.nOut = len(ref.outs)
			}
			r.needs = append(r.needs, ref)
		}
		s.runs = append(s.runs, r)
	}
	for fi, f := range s.frames {
		f.views = make([]view, len(f.runs))
		for j, ri := range f.runs {
			r := s.runs[ri]
			f.views[j] = view{s: s, f: f, fi: fi, r: r, needs: r.needs, pairs: r.hist >= 2}
		}
		f.hist = max(f.hist, 1)
		f.bars = make([]barRec, f.hist)
		for _, ind := range f.inds {
			ind.hist = max(ind.hist, 1)
			ind.vals = make([]float64, ind.hist*ind.nOut)
			ind.peek = make([]float64, ind.nOut)
		}
	}
	return s, nil
}
