package indicators

// Sliding highest/lowest indicators: MAX, MIN, MIDPOINT, MIDPRICE, WILLR,
// AROON, AROONOSC and Donchian channels. TA-Lib tracks the extreme and its
// index and rescans the window when the extreme leaves it (O(period) in the
// worst case); here van Herk/Gil-Werman blocks (hlB) give the same extreme
// in O(1) amortised. The values are identical because a max or min does not
// depend on how it is found; where an index is exposed (AROON) hlB keeps
// the latest index among equal extremes, which is TA-Lib's tie rule.

// hlB is a window of w inputs with a sliding maximum and minimum (MAX and
// MIN switch off the side they do not need: half the work).
//
// It is van Herk and Gil-Werman's algorithm rather than a monotonic deque:
// the inputs are cut into blocks of w; the extreme of the current block so
// far (a prefix) is kept as inputs arrive, and when a block is complete the
// extremes of each of its suffixes are computed in one backward pass. A
// window of w inputs is a suffix of the previous block and a prefix of the
// current one, so its extreme is one comparison away: O(1) amortised (w
// comparisons once every w inputs), like the deque, but without the deque's
// data-dependent pop loops, whose mispredicted exits cost more per bar than
// TA-Lib's whole batch loop. Extremes are exact whatever the algorithm; ties
// go to the latest index (the prefix, being later, wins a tie with the
// suffix, and a suffix keeps its later element on a tie), the deque's rule
// and TA-Lib's for AROON.
//
// NaN inputs are outside this equivalence: TA-Lib's comparisons skip a NaN
// unless its rescan starts on one, while here a NaN that starts a block or
// a suffix holds it; results then differ from TA-Lib's, but nothing fails
// and Peek still agrees with Update.
type hlB struct {
	w          int
	n          int64 // index of the next input
	k          int   // its offset in the current block: n mod w
	lastK      int   // offset of the last input pushed
	lastBase   int64 // index of the first input of its block
	hi, lo     extWin
	noHi, noLo bool
}

// extWin is one side of an hlB: a sliding maximum. The minimum side holds
// negated inputs, so that one comparison serves both (negation is exact and
// reverses every comparison, ±0 and NaN included; the result is negated
// back), which keeps push and at free of a max-or-min branch and small.
type extWin struct {
	blk  []float64 // the current block's inputs by offset
	suf  []float64 // suf[j]: extreme of the previous block's offsets j..w-1
	sufJ []int32   // the offset it is at
	pre  float64   // extreme of the current block's offsets 0..k-1
	preJ int       // the offset it is at
}

func newExtWin(w int) extWin {
	return extWin{blk: make([]float64, w), suf: make([]float64, w), sufJ: make([]int32, w)}
}

// push stores v at offset k. On a block's last offset the caller then
// computes the block's suffix extremes with complete (out of line: once
// every w inputs; leaving the call out keeps push small enough to inline).
func (e *extWin) push(k int, v float64) {
	e.blk[k] = v
	// A branch, not a select: a new extreme within a block is rare, so it
	// predicts well (unlike the comparison in at).
	if k == 0 || v >= e.pre {
		e.pre, e.preJ = v, k
	}
}

// complete computes the suffix extremes of the full current block.
func (e *extWin) complete() {
	blk := e.blk
	suf, sufJ := e.suf[:len(blk)], e.sufJ[:len(blk)]
	k := len(blk) - 1
	x, xj := blk[k], int32(k)
	suf[k], sufJ[k] = x, xj
	// An earlier value takes the extreme only when strictly better.
	for j := k - 1; j >= 0; j-- {
		if y := blk[j]; y > x {
			x, xj = y, int32(j)
		}
		suf[j], sufJ[j] = x, xj
	}
}

// at returns the window's extreme and its index once offset k of the block
// starting at input base holds pre/preJ.
func (e *extWin) at(base int64, k int, pre float64, preJ int) (int64, float64) {
	w := len(e.blk)
	if k == w-1 {
		return base + int64(preJ), pre
	}
	// A branch: as the window slides through a block the prefix extreme
	// only grows and the suffix one only shrinks, so the winner changes at
	// most about once per block and the branch predicts well.
	if c := e.suf[k+1]; c > pre {
		return base - int64(w) + int64(e.sufJ[k+1]), c
	}
	return base + int64(preJ), pre
}

// peek returns what push(k, v) then at would give, without changing state.
func (e *extWin) peek(base int64, k int, v float64) (int64, float64) {
	pre, preJ := e.pre, e.preJ
	if k == 0 || v >= pre {
		pre, preJ = v, k
	}
	return e.at(base, k, pre, preJ)
}

func (e *extWin) encode(enc *stateEncoder) {
	enc.f64(e.pre)
	enc.int(e.preJ)
	for j := range e.blk {
		enc.f64(e.blk[j])
		enc.f64(e.suf[j])
		enc.int(int(e.sufJ[j]))
	}
}

func (e *extWin) decode(d *stateDecoder) {
	w := len(e.blk)
	e.pre = d.f64()
	e.preJ = d.int()
	bad := e.preJ < 0 || e.preJ >= w
	for j := range e.blk {
		e.blk[j] = d.f64()
		e.suf[j] = d.f64()
		sj := d.int()
		bad = bad || sj < 0 || sj >= w
		e.sufJ[j] = int32(sj)
	}
	if bad {
		d.fail("window offset out of range")
	}
}

func newHLB(w int) hlB {
	return hlB{w: w, hi: newExtWin(w), lo: newExtWin(w)}
}

// push adds an input's high and low. The window's extremes are valid once
// w inputs have been pushed.
func (h *hlB) push(high, low float64) {
	k := h.k
	if !h.noHi {
		h.hi.push(k, high)
	}
	if !h.noLo {
		h.lo.push(k, -low)
	}
	h.advance(k)
}

// advance moves past the input just stored at offset k, completing the
// block when k is its last offset.
func (h *hlB) advance(k int) {
	h.lastK, h.lastBase = k, h.n-int64(k)
	h.n++
	if k++; k == h.w {
		k = 0
		if !h.noHi {
			h.hi.complete()
		}
		if !h.noLo {
			h.lo.complete()
		}
	}
	h.k = k
}

// peek returns the extremes (with indices) that push(high, low) would give;
// valid when at least w-1 inputs have been pushed.
func (h *hlB) peek(high, low float64) (hiIdx int64, hi float64, loIdx int64, lo float64) {
	base := h.n - int64(h.k)
	if !h.noHi {
		hiIdx, hi = h.hi.peek(base, h.k, high)
	}
	if !h.noLo {
		loIdx, lo = h.lo.peek(base, h.k, -low)
		lo = -lo
	}
	return
}

// current returns the extremes after the last push (valid once w inputs
// have been pushed).
func (h *hlB) current() (hiIdx int64, hi float64, loIdx int64, lo float64) {
	k, base := h.lastK, h.lastBase
	if !h.noHi {
		hiIdx, hi = h.hi.at(base, k, h.hi.pre, h.hi.preJ)
	}
	if !h.noLo {
		loIdx, lo = h.lo.at(base, k, h.lo.pre, h.lo.preJ)
		lo = -lo
	}
	return
}

func (h *hlB) reset() { h.n, h.k, h.lastK, h.lastBase = 0, 0, 0, 0 }

func (h *hlB) encode(e *stateEncoder) {
	e.int(int(h.n))
	h.hi.encode(e)
	h.lo.encode(e)
}

func (h *hlB) decode(d *stateDecoder) {
	h.n = int64(d.int())
	h.hi.decode(d)
	h.lo.decode(d)
	if h.n < 0 {
		d.fail("negative input index")
	}
	h.k = int(h.n % int64(h.w))
	h.lastK = h.k - 1
	if h.lastK < 0 {
		h.lastK = h.w - 1
	}
	h.lastBase = h.n - 1 - int64(h.lastK)
}

// rangeKindB selects what a rangeB computes from the window's extremes.
type rangeKindB uint8

const (
	rangeMax      rangeKindB = iota // TA_MAX: highest src
	rangeMin                        // TA_MIN: lowest src
	rangeMidpoint                   // TA_MIDPOINT: (highest src + lowest src)/2
	rangeMidprice                   // TA_MIDPRICE: (highest high + lowest low)/2
	rangeWillR                      // TA_WILLR
	rangeAroonOsc                   // TA_AROONOSC
)

// Range is a single-output sliding-window indicator over highs and lows:
// TA-Lib's MAX, MIN, MIDPOINT (over a source), MIDPRICE, WILLR or AROONOSC,
// built by NewMax, NewMin, NewMidpoint, NewMidprice, NewWillR and
// NewAroonOsc. Update and Peek are O(1) amortised. Not safe for concurrent
// use.
type Range struct {
	singleB
	kind   rangeKindB
	period int
	src    Source
	win    hlB
}

func newRangeB(kind rangeKindB, fn string, period, min int, src Source, window, lookback int) (*Range, error) {
	if err := checkPeriod(fn, "timeperiod", period, min, 100000); err != nil {
		return nil, err
	}
	x := &Range{kind: kind, period: period, src: src, win: newHLB(window)}
	x.win.noHi, x.win.noLo = kind == rangeMin, kind == rangeMax
	if x.win.noHi {
		x.win.hi = newExtWin(1)
	}
	if x.win.noLo {
		x.win.lo = newExtWin(1)
	}
	x.initB(specName(fn, src, float64(period)), lookback)
	return x, nil
}

// NewMax returns TA-Lib's MAX: the highest src over period (2..100000)
// inputs. Lookback period-1.
func NewMax(period int, src Source) (*Range, error) {
	return newRangeB(rangeMax, "max", period, 2, src, period, period-1)
}

// NewMin returns TA-Lib's MIN: the lowest src over period (2..100000)
// inputs. Lookback period-1.
func NewMin(period int, src Source) (*Range, error) {
	return newRangeB(rangeMin, "min", period, 2, src, period, period-1)
}

// NewMidpoint returns TA-Lib's MIDPOINT: (highest + lowest src)/2 over
// period (2..100000) inputs. Lookback period-1.
func NewMidpoint(period int, src Source) (*Range, error) {
	return newRangeB(rangeMidpoint, "midpoint", period, 2, src, period, period-1)
}

// NewMidprice returns TA-Lib's MIDPRICE: (highest high + lowest low)/2 over
// period (2..100000) bars. Lookback period-1.
func NewMidprice(period int) (*Range, error) {
	return newRangeB(rangeMidprice, "midprice", period, 2, SourceClose, period, period-1)
}

// NewWillR returns TA-Lib's WILLR, Larry Williams' %R over period
// (2..100000) bars: (highest high - close) / ((highest - lowest) / -100),
// 0 when the range is 0. Lookback period-1.
func NewWillR(period int) (*Range, error) {
	return newRangeB(rangeWillR, "willr", period, 2, SourceClose, period, period-1)
}

// NewAroonOsc returns TA-Lib's AROONOSC over period (2..100000): Aroon up
// minus Aroon down, computed as TA-Lib does as
// (100/period) * (index of highest high - index of lowest low) over the last
// period+1 bars, the latest index winning ties. Lookback period.
func NewAroonOsc(period int) (*Range, error) {
	return newRangeB(rangeAroonOsc, "aroonosc", period, 2, SourceClose, period+1, period)
}

func (x *Range) feed(in *Input) (high, low float64) {
	switch x.kind {
	case rangeMax, rangeMin, rangeMidpoint:
		v := srcB(x.src, in)
		return v, v
	}
	return in.High, in.Low
}

func (x *Range) calc(hiIdx int64, hi float64, loIdx int64, lo float64, in *Input) float64 {
	switch x.kind {
	case rangeMax:
		return hi
	case rangeMin:
		return lo
	case rangeMidpoint, rangeMidprice:
		return (hi + lo) / 2.0
	case rangeWillR:
		// TA-Lib keeps diff = (highest-lowest)/(-100.0) and divides by it.
		if diff := (hi - lo) / (-100.0); diff != 0.0 {
			return (hi - in.Close) / diff
		}
		return 0.0
	case rangeAroonOsc:
		return (100.0 / float64(x.period)) * float64(hiIdx-loIdx)
	}
	return nan
}

// Update implements Indicator.
func (x *Range) Update(in Input) {
	switch x.kind {
	case rangeMax: // MAX and MIN in straight lines: the common ones
		h := &x.win
		k := h.k
		h.hi.push(k, srcB(x.src, &in))
		h.advance(k)
		v := nan
		if x.nextReady() {
			_, v = h.hi.at(h.lastBase, k, h.hi.pre, h.hi.preJ)
		}
		x.commit(v)
		return
	case rangeMin:
		h := &x.win
		k := h.k
		h.lo.push(k, -srcB(x.src, &in))
		h.advance(k)
		v := nan
		if x.nextReady() {
			_, v = h.lo.at(h.lastBase, k, h.lo.pre, h.lo.preJ)
			v = -v
		}
		x.commit(v)
		return
	}
	x.win.push(x.feed(&in))
	v := nan
	if x.nextReady() {
		hiIdx, hi, loIdx, lo := x.win.current()
		v = x.calc(hiIdx, hi, loIdx, lo, &in)
	}
	x.commit(v)
}

// Peek implements Indicator.
func (x *Range) Peek(in Input, out []float64) bool {
	if !x.nextReady() {
		out[0] = nan
		return false
	}
	h, l := x.feed(&in)
	hiIdx, hi, loIdx, lo := x.win.peek(h, l)
	out[0] = x.calc(hiIdx, hi, loIdx, lo, &in)
	return true
}

// Reset implements Indicator.
func (x *Range) Reset() { x.resetB(); x.win.reset() }

// MarshalBinary implements Indicator.
func (x *Range) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(x.name)
	x.encodeB(e)
	x.win.encode(e)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (x *Range) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, x.name)
	x.decodeB(d)
	x.win.decode(d)
	return d.finish()
}

var (
	outputsAroon   = []string{"down", "up"}
	outputsChannel = []string{"upper", "middle", "lower"}
)

// Aroon is Tushar Chande's Aroon, TA-Lib TA_AROON, outputs "down" and "up":
// (100/period) * (period - bars since the lowest low / highest high) over
// the last period+1 bars, the latest bar winning ties as in TA-Lib. Lookback
// period. Not safe for concurrent use.
type Aroon struct {
	multiB
	period int
	win    hlB
}

// NewAroon returns an Aroon over period (2..100000).
func NewAroon(period int) (*Aroon, error) {
	if err := checkPeriod("aroon", "timeperiod", period, 2, 100000); err != nil {
		return nil, err
	}
	x := &Aroon{period: period, win: newHLB(period + 1)}
	x.initM(specName("aroon", SourceClose, float64(period)), period, outputsAroon)
	return x, nil
}

// calc writes the outputs for input index today.
func (x *Aroon) calc(today, hiIdx, loIdx int64, out []float64) {
	factor := 100.0 / float64(x.period)
	out[0] = factor * float64(x.period-int(today-loIdx))
	out[1] = factor * float64(x.period-int(today-hiIdx))
}

// Update implements Indicator.
func (x *Aroon) Update(in Input) {
	x.win.push(in.High, in.Low)
	if x.nextReady() {
		hiIdx, _, loIdx, _ := x.win.current()
		x.calc(x.win.n-1, hiIdx, loIdx, x.vals[:])
	}
	x.commitM()
}

// Peek implements Indicator.
func (x *Aroon) Peek(in Input, out []float64) bool {
	if !x.nextReady() {
		out[0], out[1] = nan, nan
		return false
	}
	hiIdx, _, loIdx, _ := x.win.peek(in.High, in.Low)
	x.calc(x.win.n, hiIdx, loIdx, out)
	return true
}

// Reset implements Indicator.
func (x *Aroon) Reset() { x.resetM(); x.win.reset() }

// MarshalBinary implements Indicator.
func (x *Aroon) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(x.name)
	x.encodeM(e)
	x.win.encode(e)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (x *Aroon) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, x.name)
	x.decodeM(d)
	x.win.decode(d)
	return d.finish()
}

// Donchian is Richard Donchian's price channel, outputs "upper" (highest
// high of the last period bars, the current one included), "lower" (lowest
// low) and "middle" ((upper+lower)/2, which equals TA-Lib's MIDPRICE).
// Beyond TA-Lib; default period 20. Lookback period-1. Not safe for
// concurrent use.
type Donchian struct {
	multiB
	period int
	win    hlB
}

// NewDonchian returns Donchian channels over period (2..100000) bars.
func NewDonchian(period int) (*Donchian, error) {
	if err := checkPeriod("donchian", "timeperiod", period, 2, 100000); err != nil {
		return nil, err
	}
	x := &Donchian{period: period, win: newHLB(period)}
	x.initM(specName("donchian", SourceClose, float64(period)), period-1, outputsChannel)
	return x, nil
}

// Update implements Indicator.
func (x *Donchian) Update(in Input) {
	x.win.push(in.High, in.Low)
	if x.nextReady() {
		_, hi, _, lo := x.win.current()
		x.vals[0], x.vals[1], x.vals[2] = hi, (hi+lo)/2.0, lo
	}
	x.commitM()
}

// Peek implements Indicator.
func (x *Donchian) Peek(in Input, out []float64) bool {
	if !x.nextReady() {
		out[0], out[1], out[2] = nan, nan, nan
		return false
	}
	_, hi, _, lo := x.win.peek(in.High, in.Low)
	out[0], out[1], out[2] = hi, (hi+lo)/2.0, lo
	return true
}

// Reset implements Indicator.
func (x *Donchian) Reset() { x.resetM(); x.win.reset() }

// MarshalBinary implements Indicator.
func (x *Donchian) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(x.name)
	x.encodeM(e)
	x.win.encode(e)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (x *Donchian) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, x.name)
	x.decodeM(d)
	x.win.decode(d)
	return d.finish()
}
